import { describe, expect, it } from 'vitest';
import { checkHistory, type Observation } from './check-history.js';

const published = ['a', 'b', 'c', 'd'].map((id) => ({ id, data: id }));
const message = (id: string): Observation => ({ kind: 'message', id, data: id });
const reset: Observation = { kind: 'reset', id: 'x', reason: 'test' };

describe('checkHistory', () => {
  it('accepts a complete history in order', () => {
    const verdict = checkHistory(published, ['a', 'b', 'c', 'd'].map(message));
    expect(verdict).toMatchObject({ lost: [], announced: [], duplicated: [], reordered: [] });
    expect(verdict.delivered).toEqual(['a', 'b', 'c', 'd']);
  });

  it('names a missing message lost when no reset stands where it should have been', () => {
    const verdict = checkHistory(published, [message('a'), reset, message('b'), message('d')]);
    expect(verdict.lost).toEqual(['c']);
    expect(verdict.announced).toEqual([]);
  });

  it('names a missing message announced when a reset stands in its place', () => {
    const verdict = checkHistory(published, [message('a'), message('b'), reset, message('d')]);
    expect(verdict.announced).toEqual(['c']);
    expect(verdict.lost).toEqual([]);
  });

  it('covers missing messages at the end only with a reset after the last delivery', () => {
    expect(checkHistory(published, [message('a'), message('b')]).lost).toEqual(['c', 'd']);
    expect(checkHistory(published, [message('a'), message('b'), reset]).announced).toEqual([
      'c',
      'd',
    ]);
  });

  it('finds duplicates, reordering and messages nobody expected', () => {
    const verdict = checkHistory(published, [
      message('a'),
      message('c'),
      message('b'),
      message('c'),
      message('d'),
      message('z'),
    ]);
    expect(verdict.duplicated).toEqual(['c']);
    expect(verdict.reordered).toEqual(['b']);
    expect(verdict.unexpected).toEqual(['z']);
  });
});

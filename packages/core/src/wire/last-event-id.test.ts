import { describe, expect, it } from 'vitest';
import { checkLastEventId, readLastEventId } from './last-event-id.js';

describe('readLastEventId', () => {
  it('prefers the header, then the lastEventId query parameter', () => {
    expect(
      readLastEventId({ headers: { 'last-event-id': 'ab-1' }, url: '/e?lastEventId=zz-9' }),
    ).toEqual({
      kind: 'valid',
      id: 'ab-1',
    });
    expect(readLastEventId({ headers: {}, url: '/e?room=x&lastEventId=zz-9' })).toEqual({
      kind: 'valid',
      id: 'zz-9',
    });
    expect(readLastEventId({ headers: {}, url: '/e' })).toEqual({ kind: 'none' });
    expect(readLastEventId({ headers: { 'last-event-id': '' } })).toEqual({ kind: 'none' });
  });

  it('reports malformed values instead of throwing', () => {
    expect(checkLastEventId('x'.repeat(100_000)).kind).toBe('malformed');
    expect(checkLastEventId('a\u0000b').kind).toBe('malformed');
    expect(checkLastEventId('with space').kind).toBe('malformed');
    expect(checkLastEventId('ünï').kind).toBe('malformed');
    expect(checkLastEventId('-1').kind).toBe('valid');
  });
});

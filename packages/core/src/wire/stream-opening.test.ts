import { describe, expect, it } from 'vitest';
import { isSseError } from '../errors.js';
import { KEEP_ALIVE_COMMENT } from './control-events.js';
import { encodeStreamOpening } from './stream-opening.js';

describe('encodeStreamOpening', () => {
  it('advertises the keep-alive as the first line, a comment, then the retry hint, in one frame', () => {
    const text = encodeStreamOpening({ retryMs: 2000, keepAliveMs: 15_000 }).toString('utf8');
    expect(text).toBe(`: ${KEEP_ALIVE_COMMENT}=15000\nretry: 2000\n\n`);
    // One frame: the load counters of tooling/bench count "\n\n" as frame ends.
    expect(text.split('\n\n')).toHaveLength(2);
  });

  it('writes whole milliseconds and still validates the retry hint', () => {
    expect(encodeStreamOpening({ retryMs: 0, keepAliveMs: 1500.7 }).toString()).toBe(
      ': sse-keep-alive=1500\nretry: 0\n\n',
    );
    let caught: unknown;
    try {
      encodeStreamOpening({ retryMs: -1, keepAliveMs: 1000 });
    } catch (error) {
      caught = error;
    }
    expect(isSseError(caught) && caught.code).toBe('SSE_INVALID_FIELD');
  });
});

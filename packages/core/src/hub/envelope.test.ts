import { describe, expect, it } from 'vitest';
import { isSseError } from '../errors.js';
import { decodeEnvelope, type Envelope, encodeEnvelope } from './envelope.js';

describe('envelope', () => {
  const cases: Envelope[] = [
    { target: { kind: 'all', value: '' }, event: undefined, data: '{"a":1}' },
    { target: { kind: 'room', value: 'lobby 1' }, event: 'chat', data: '' },
    { target: { kind: 'user', value: 'ü\n 3 4' }, event: '', data: '1 a 2 3\nmore\0' },
    { target: { kind: 'connection', value: 'c' }, event: 'x y', data: '🚀'.repeat(1000) },
    {
      target: { kind: 'room', value: 'lobby' },
      event: 'message',
      data: '{"text":"hi"}',
      idempotency: { key: 'alice:0f8e-1', at: 1_767_000_000_000 },
    },
    {
      target: { kind: 'all', value: '' },
      event: undefined,
      data: '2 a 0 -1 1 5\nlooks like a header',
      idempotency: { key: 'k', at: 0 },
    },
  ];
  it.each(cases)('round-trips %j', (envelope) => {
    expect(decodeEnvelope(encodeEnvelope(envelope))).toEqual(envelope);
  });

  it('writes a message without a key as version 1, which older instances read', () => {
    const payload = encodeEnvelope({ target: { kind: 'all', value: '' }, event: 'e', data: 'd' });
    expect(payload.startsWith('1 a 0 1\n')).toBe(true);
  });

  it('rejects payloads it did not write', () => {
    for (const payload of [
      '',
      'hello',
      '2 a 0 -1\n',
      '1 z 0 -1\n',
      '1 r 99 -1\nshort',
      '1 a 0 -1 extra\n',
      // Version 2: a key of length 0, a missing stamp, a key longer than the payload.
      '2 a 0 -1 0 5\n',
      '2 a 0 -1 1\nk',
      '2 a 0 -1 9 5\nk',
      '2 a 0 -1 1 x\nk',
    ]) {
      let caught: unknown;
      try {
        decodeEnvelope(payload);
      } catch (error) {
        caught = error;
      }
      expect(isSseError(caught, 'SSE_BUS_PROTOCOL'), payload).toBe(true);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { isSseError } from '../errors.js';
import { decodeEnvelope, type Envelope, encodeEnvelope } from './envelope.js';

describe('envelope', () => {
  const cases: Envelope[] = [
    { target: { kind: 'all', value: '' }, event: undefined, data: '{"a":1}' },
    { target: { kind: 'room', value: 'lobby 1' }, event: 'chat', data: '' },
    { target: { kind: 'user', value: 'ü\n 3 4' }, event: '', data: '1 a 2 3\nmore\0' },
    { target: { kind: 'connection', value: 'c' }, event: 'x y', data: '🚀'.repeat(1000) },
  ];
  it.each(cases)('round-trips %j', (envelope) => {
    expect(decodeEnvelope(encodeEnvelope(envelope))).toEqual(envelope);
  });

  it('rejects payloads it did not write', () => {
    for (const payload of [
      '',
      'hello',
      '2 a 0 -1\n',
      '1 z 0 -1\n',
      '1 r 99 -1\nshort',
      '1 a 0 -1 extra\n',
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

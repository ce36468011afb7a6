import { SseError } from '../errors.js';
import type { ResolvedTarget } from './target.js';

/**
 * What travels on the bus: the target, the event name and the already serialized data.
 * Format: a header line `1 <kind> <targetLength> <eventLength>` then, unseparated, the
 * target value, the event name and the data. Length-prefixed rather than JSON so that the
 * (usually JSON) data is never escaped a second time.
 *
 * A message with an idempotency key is written as version 2:
 * `2 <kind> <targetLength> <eventLength> <keyLength> <publishedAt>` then the target value,
 * the event name, the key and the data. Messages without a key stay version 1, so that
 * instances of an older `@sse/core` keep reading them during a rolling upgrade.
 */
export interface Envelope {
  readonly target: ResolvedTarget;
  /** `undefined` means the client's default `message` event. */
  readonly event: string | undefined;
  readonly data: string;
  /** The idempotency key and when it was published; `undefined` for a message without one. */
  readonly idempotency?: IdempotencyStamp | undefined;
}

/** The key of a keyed message, and when its publisher stamped it. */
export interface IdempotencyStamp {
  readonly key: string;
  /**
   * `Date.now()` on the publishing instance. Every instance compares two entries of one key
   * by these stamps, not by when each arrived, so that all of them (and every replay from
   * history) decide alike whether the second falls within the window.
   */
  readonly at: number;
}

const KIND_CODES = { all: 'a', user: 'u', room: 'r', connection: 'c' } as const;
const KINDS: Record<string, ResolvedTarget['kind']> = {
  a: 'all',
  u: 'user',
  r: 'room',
  c: 'connection',
};

/** Encodes an envelope into a bus payload. */
export function encodeEnvelope(envelope: Envelope): string {
  const { target, event, data, idempotency } = envelope;
  const eventLength = event === undefined ? -1 : event.length;
  const kind = KIND_CODES[target.kind];
  if (idempotency === undefined)
    return `1 ${kind} ${target.value.length} ${eventLength}\n${target.value}${event ?? ''}${data}`;
  const { key, at } = idempotency;
  return `2 ${kind} ${target.value.length} ${eventLength} ${key.length} ${at}\n${target.value}${event ?? ''}${key}${data}`;
}

const isLength = (n: number, min: number): boolean => Number.isSafeInteger(n) && n >= min;

/**
 * Decodes a bus payload.
 * @throws SseError `SSE_BUS_PROTOCOL` when the payload was not written by {@link encodeEnvelope}.
 */
export function decodeEnvelope(payload: string): Envelope {
  const newline = payload.indexOf('\n');
  const header = newline === -1 ? [] : payload.slice(0, newline).split(' ');
  const version = header[0];
  const kind = KINDS[header[1] ?? ''];
  const targetLength = Number(header[2]);
  const eventLength = Number(header[3]);
  const keyed = version === '2' && header.length === 6;
  const keyLength = keyed ? Number(header[4]) : 0;
  const at = keyed ? Number(header[5]) : 0;
  if (
    !((version === '1' && header.length === 4) || keyed) ||
    kind === undefined ||
    !isLength(targetLength, 0) ||
    !isLength(eventLength, -1) ||
    !isLength(keyLength, keyed ? 1 : 0) ||
    !Number.isSafeInteger(at) ||
    newline + 1 + targetLength + Math.max(eventLength, 0) + keyLength > payload.length
  ) {
    throw new SseError(
      'SSE_BUS_PROTOCOL',
      `Bus entry is not an @sse/core envelope: ${JSON.stringify(payload.slice(0, 40))}…`,
    );
  }
  const valueStart = newline + 1;
  const eventStart = valueStart + targetLength;
  const keyStart = eventStart + Math.max(eventLength, 0);
  const dataStart = keyStart + keyLength;
  const value = payload.slice(valueStart, eventStart);
  const event = eventLength === -1 ? undefined : payload.slice(eventStart, keyStart);
  const target = (kind === 'all' ? { kind, value: '' } : { kind, value }) as ResolvedTarget;
  const idempotency = keyed ? { key: payload.slice(keyStart, dataStart), at } : undefined;
  return { target, event, data: payload.slice(dataStart), idempotency };
}

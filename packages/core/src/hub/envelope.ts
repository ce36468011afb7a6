import { SseError } from '../errors.js';
import type { ResolvedTarget } from './target.js';

/**
 * What travels on the bus: the target, the event name and the already serialized data.
 * Format: a header line `1 <kind> <targetLength> <eventLength>` then, unseparated, the
 * target value, the event name and the data. Length-prefixed rather than JSON so that the
 * (usually JSON) data is never escaped a second time.
 */
export interface Envelope {
  readonly target: ResolvedTarget;
  /** `undefined` means the client's default `message` event. */
  readonly event: string | undefined;
  readonly data: string;
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
  const { target, event, data } = envelope;
  const eventLength = event === undefined ? -1 : event.length;
  return `1 ${KIND_CODES[target.kind]} ${target.value.length} ${eventLength}\n${target.value}${event ?? ''}${data}`;
}

/**
 * Decodes a bus payload.
 * @throws SseError `SSE_BUS_PROTOCOL` when the payload was not written by {@link encodeEnvelope}.
 */
export function decodeEnvelope(payload: string): Envelope {
  const newline = payload.indexOf('\n');
  const header = newline === -1 ? [] : payload.slice(0, newline).split(' ');
  const kind = KINDS[header[1] ?? ''];
  const targetLength = Number(header[2]);
  const eventLength = Number(header[3]);
  if (
    header.length !== 4 ||
    header[0] !== '1' ||
    kind === undefined ||
    !Number.isSafeInteger(targetLength) ||
    !Number.isSafeInteger(eventLength) ||
    targetLength < 0 ||
    eventLength < -1 ||
    newline + 1 + targetLength + Math.max(eventLength, 0) > payload.length
  ) {
    throw new SseError(
      'SSE_BUS_PROTOCOL',
      `Bus entry is not an @sse/core envelope: ${JSON.stringify(payload.slice(0, 40))}…`,
    );
  }
  const valueStart = newline + 1;
  const eventStart = valueStart + targetLength;
  const dataStart = eventStart + Math.max(eventLength, 0);
  const value = payload.slice(valueStart, eventStart);
  const event = eventLength === -1 ? undefined : payload.slice(eventStart, dataStart);
  const target = (kind === 'all' ? { kind, value: '' } : { kind, value }) as ResolvedTarget;
  return { target, event, data: payload.slice(dataStart) };
}

import { randomBytes } from 'node:crypto';

/** A decoded position: the epoch and the id inside that epoch. */
export interface DecodedPosition {
  readonly epoch: string;
  readonly id: string;
}

// Epochs are 16 hex characters (64 random bits): a fresh Redis never picks an old one.
const EPOCH = '[0-9a-f]{16}';
// Sequence 0 is the origin of a channel nothing was published on yet.
const PUBSUB_POSITION = new RegExp(`^(${EPOCH}):(0|[1-9][0-9]{0,15})$`);
const STREAM_POSITION = new RegExp(`^(${EPOCH}):([0-9]{1,20}-[0-9]{1,20})$`);

/** A new random epoch candidate (the server keeps the first one written). */
export function newEpoch(): string {
  return randomBytes(8).toString('hex');
}

/** Position format: `<epoch>:<id>`, safe as an SSE `id:` (no CR, LF, NUL; at most 58 chars). */
export function encodePosition(epoch: string, id: string): string {
  return `${epoch}:${id}`;
}

/** Decodes a pub/sub position (`<epoch>:<sequence>`), or `undefined` when malformed. */
export function decodePubSubPosition(position: string): DecodedPosition | undefined {
  const match = PUBSUB_POSITION.exec(position);
  return match ? { epoch: match[1]!, id: match[2]! } : undefined;
}

/** Decodes a streams position (`<epoch>:<ms>-<seq>`), or `undefined` when malformed. */
export function decodeStreamPosition(position: string): DecodedPosition | undefined {
  const match = STREAM_POSITION.exec(position);
  return match ? { epoch: match[1]!, id: match[2]! } : undefined;
}

/** Compares two stream ids (`ms-seq`) numerically: negative, zero or positive. */
export function compareStreamIds(a: string, b: string): number {
  const [aMs, aSeq] = a.split('-');
  const [bMs, bSeq] = b.split('-');
  const byMs = BigInt(aMs ?? '0') - BigInt(bMs ?? '0');
  if (byMs !== 0n) return byMs < 0n ? -1 : 1;
  const bySeq = BigInt(aSeq ?? '0') - BigInt(bSeq ?? '0');
  return bySeq === 0n ? 0 : bySeq < 0n ? -1 : 1;
}

/**
 * Orders two positions decoded by `decode`: negative, zero or positive; `undefined` when
 * either is malformed or they belong to different epochs (no order exists across epochs).
 */
export function comparePositionsWith(
  decode: (position: string) => DecodedPosition | undefined,
  compareIds: (a: string, b: string) => number,
  a: string,
  b: string,
): number | undefined {
  const left = decode(a);
  const right = decode(b);
  if (!left || !right || left.epoch !== right.epoch) return undefined;
  return compareIds(left.id, right.id);
}

/** Compares two pub/sub sequence numbers (decimal strings) numerically. */
export function compareSequences(a: string, b: string): number {
  const diff = BigInt(a) - BigInt(b);
  return diff === 0n ? 0 : diff < 0n ? -1 : 1;
}

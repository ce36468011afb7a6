/**
 * Positions are `<epoch>:<stream sequence>`. The epoch is the stream's creation time
 * (base 36 of its milliseconds plus its nanosecond digits), so a stream that was deleted
 * and created again never matches positions of the old one.
 */
const POSITION = /^([0-9a-z]{1,24}):(\d{1,16})$/;

/** The one place a position is built. */
export function formatPosition(epoch: string, seq: number): string {
  return `${epoch}:${seq}`;
}

/** The epoch of a stream from its ISO `created` timestamp. */
export function epochOf(created: string): string {
  const ms = Date.parse(created);
  const fraction = /\.(\d+)/.exec(created)?.[1] ?? '';
  // Milliseconds alone would collide for two streams created in the same millisecond.
  return `${ms.toString(36)}${Number(fraction.padEnd(9, '0').slice(3, 9)).toString(36)}`;
}

/** Splits a position; `undefined` when it is not one of ours. */
export function parsePosition(position: string): { epoch: string; seq: number } | undefined {
  const match = POSITION.exec(position);
  return match ? { epoch: match[1]!, seq: Number(match[2]) } : undefined;
}

/** Orders two positions of one epoch; `undefined` across epochs or for foreign strings. */
export function comparePositions(a: string, b: string): number | undefined {
  const pa = parsePosition(a);
  const pb = parsePosition(b);
  if (!pa || !pb || pa.epoch !== pb.epoch) return undefined;
  return pa.seq - pb.seq;
}

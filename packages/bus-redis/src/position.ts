/**
 * Positions are `<epoch>:<id>`: the epoch is a random id stored beside the data and
 * recreated whenever Redis lost it (flush, restart without persistence), so a position
 * from before can never match data from after. `<id>` is a stream ID `<ms>-<seq>`
 * (streams mode) or a counter (pub/sub mode).
 */
export interface ParsedPosition {
  readonly epoch: string;
  /** Stream ID or counter. */
  readonly id: string;
}

const POSITION = /^([0-9a-z]{1,32}):(\d{1,20}(?:-\d{1,20})?)$/;

/** Splits a position; `undefined` when it is not one of ours. */
export function parsePosition(position: string): ParsedPosition | undefined {
  const match = POSITION.exec(position);
  return match ? { epoch: match[1]!, id: match[2]! } : undefined;
}

/** Orders two stream IDs or counters (`<ms>-<seq>` or `<n>`). */
export function compareIds(a: string, b: string): number {
  const [aMs = '0', aSeq = '0'] = a.split('-');
  const [bMs = '0', bSeq = '0'] = b.split('-');
  const byMs = compareDigits(aMs, bMs);
  return byMs !== 0 ? byMs : compareDigits(aSeq, bSeq);
}

/** Orders two positions of one epoch; `undefined` across epochs or for foreign strings. */
export function comparePositions(a: string, b: string): number | undefined {
  const pa = parsePosition(a);
  const pb = parsePosition(b);
  if (!pa || !pb || pa.epoch !== pb.epoch) return undefined;
  return compareIds(pa.id, pb.id);
}

// Digit strings of up to 20 digits exceed 2^53: compare by length, then lexically.
function compareDigits(a: string, b: string): number {
  const x = a.replace(/^0+(?=\d)/, '');
  const y = b.replace(/^0+(?=\d)/, '');
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Positions are `<epoch>:<partition>:<offset>`. The epoch is the Kafka cluster id (it
 * changes when the broker's storage is formatted anew), stripped to letters and digits.
 * Offset `-1` is the origin of an empty partition: the position before its first record.
 */
const POSITION = /^([0-9A-Za-z]{1,64}):(\d{1,6}):(-1|\d{1,19})$/;

/** The one place a position is built. */
export function formatPosition(epoch: string, partition: number, offset: bigint | string): string {
  return `${epoch}:${partition}:${offset}`;
}

/** The epoch of a cluster. */
export function epochOf(clusterId: string): string {
  return clusterId.replace(/[^0-9A-Za-z]/g, '').slice(0, 64) || 'kafka';
}

/** Splits a position; `undefined` when it is not one of ours. */
export function parsePosition(
  position: string,
): { epoch: string; partition: number; offset: bigint } | undefined {
  const match = POSITION.exec(position);
  return match
    ? { epoch: match[1]!, partition: Number(match[2]), offset: BigInt(match[3]!) }
    : undefined;
}

/**
 * Orders two positions of one epoch and partition; `undefined` otherwise: across
 * partitions Kafka defines no order.
 */
export function comparePositions(a: string, b: string): number | undefined {
  const pa = parsePosition(a);
  const pb = parsePosition(b);
  if (!pa || !pb || pa.epoch !== pb.epoch || pa.partition !== pb.partition) return undefined;
  return pa.offset < pb.offset ? -1 : pa.offset > pb.offset ? 1 : 0;
}

/**
 * One history checker for every fault and interop test: it compares what a client saw with
 * the bus order and names each message lost, duplicated, reordered or announced.
 * @module
 */

/** A message as published, in bus order. */
export interface PublishedMessage {
  /** Its bus position (the SSE id). */
  readonly id: string;
  readonly data: string;
}

/** One thing a client saw, in the order it saw them. */
export type Observation =
  | { readonly kind: 'message'; readonly id: string; readonly data: string }
  | { readonly kind: 'reset'; readonly id: string; readonly reason: string };

/** The verdict on one client's history. Every list holds message ids, in bus order. */
export interface HistoryVerdict {
  /** Expected messages the client got at least once. */
  readonly delivered: string[];
  /** Expected messages it never got, with no reset where they should have been: silent loss. */
  readonly lost: string[];
  /** Missing messages with a reset where they should have been: announced loss. */
  readonly announced: string[];
  /** Messages it got more than once. */
  readonly duplicated: string[];
  /** Messages it got after one that comes later in bus order. */
  readonly reordered: string[];
  /** Messages it got that were not expected (other targets, before it connected). */
  readonly unexpected: string[];
  /** Reset events seen. */
  readonly resets: number;
}

/**
 * Judges one client's history.
 *
 * A missing message is *announced* when the client saw a reset at the place where the message
 * should have been: after the last delivered message that precedes it in bus order, and before
 * the first delivered one that follows it. Anywhere else the reset does not cover it, and the
 * loss is silent.
 *
 * @param expected - the messages the client should get, in bus order.
 * @param observed - what it saw, in arrival order.
 * @returns the verdict; `lost`, `duplicated` and `reordered` must all be empty for the promise
 *   "nothing lost, never silently" to hold.
 */
export function checkHistory(
  expected: readonly PublishedMessage[],
  observed: readonly Observation[],
): HistoryVerdict {
  const busIndex = new Map(expected.map((message, index) => [message.id, index]));
  /** Arrival index of the first delivery of each bus index. */
  const firstSeenAt = new Map<number, number>();
  const counts = new Map<string, number>();
  const reordered: string[] = [];
  const unexpected: string[] = [];
  const resetsAt: number[] = [];
  let highest = -1;
  observed.forEach((item, at) => {
    if (item.kind === 'reset') {
      resetsAt.push(at);
      return;
    }
    const index = busIndex.get(item.id);
    if (index === undefined) {
      unexpected.push(item.id);
      return;
    }
    counts.set(item.id, (counts.get(item.id) ?? 0) + 1);
    if (!firstSeenAt.has(index)) firstSeenAt.set(index, at);
    if (index < highest) reordered.push(item.id);
    highest = Math.max(highest, index);
  });

  const delivered: string[] = [];
  const lost: string[] = [];
  const announced: string[] = [];
  expected.forEach((message, index) => {
    if (firstSeenAt.has(index)) {
      delivered.push(message.id);
      return;
    }
    const before = arrivalOfNearest(firstSeenAt, index, -1, expected.length) ?? -1;
    const after = arrivalOfNearest(firstSeenAt, index, +1, expected.length) ?? observed.length;
    const covered = resetsAt.some((at) => at > before && at < after);
    (covered ? announced : lost).push(message.id);
  });
  const duplicated = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
  return { delivered, lost, announced, duplicated, reordered, unexpected, resets: resetsAt.length };
}

/** Arrival index of the delivered message nearest to `index` in bus order, in `direction`. */
function arrivalOfNearest(
  firstSeenAt: ReadonlyMap<number, number>,
  index: number,
  direction: -1 | 1,
  length: number,
): number | undefined {
  for (let i = index + direction; i >= 0 && i < length; i += direction) {
    const at = firstSeenAt.get(i);
    if (at !== undefined) return at;
  }
  return undefined;
}

/** A one-line summary for assertion messages. */
export function describeVerdict(verdict: HistoryVerdict): string {
  return (
    `delivered ${verdict.delivered.length}, lost ${verdict.lost.length}, announced ${verdict.announced.length}, ` +
    `duplicated ${verdict.duplicated.length}, reordered ${verdict.reordered.length}, resets ${verdict.resets}` +
    (verdict.lost.length > 0 ? ` (lost: ${verdict.lost.slice(0, 5).join(', ')})` : '')
  );
}

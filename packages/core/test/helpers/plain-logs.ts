import {
  type Bus,
  type BusEntry,
  BusGuard,
  type BusListener,
  createMemoryBus,
  createMemoryLog,
  type MemoryLog,
  SseError,
} from '../../src/index.js';

/**
 * In-process logs that cannot refuse a repeated idempotency key (like Kafka), so that the
 * hub's own filter is what a test exercises: one that keeps nothing and one that keeps
 * history. Members of one channel share one log.
 */
export function createPlainLogs(): {
  fleeting(channel: string): Bus;
  retaining(channel: string): Bus;
} {
  const memoryLogs = new Map<string, MemoryLog>();
  const retainingLogs = new Map<string, RetainingLog>();
  return {
    fleeting(channel) {
      const log = memoryLogs.get(channel) ?? createMemoryLog();
      memoryLogs.set(channel, log);
      // The in-process bus without its deduplication.
      const inner = createMemoryBus({ log });
      return {
        kind: 'memory-plain',
        retainsHistory: false,
        start: (listener, options) => inner.start(listener, options),
        publish: (payload) => inner.publish(payload),
        comparePositions: (a, b) => inner.comparePositions!(a, b),
        close: () => inner.close(),
      };
    },
    retaining(channel) {
      const log = retainingLogs.get(channel) ?? { entries: [], members: new Set() };
      retainingLogs.set(channel, log);
      return retainingMember(log);
    },
  };
}

interface RetainingLog {
  readonly entries: BusEntry[];
  readonly members: Set<BusListener>;
}

const seq = (position: string): number | undefined =>
  /^r-\d{1,9}$/.test(position) ? Number(position.slice(2)) : undefined;

/** A member of a retaining in-process log: positions `r-<n>`, `r-0` the empty log's origin. */
function retainingMember(log: RetainingLog): Bus {
  const guard = new BusGuard('retaining');
  let listener: BusListener | undefined;
  return {
    kind: 'retaining-plain',
    retainsHistory: true,
    async start(target) {
      guard.beginStart();
      listener = target;
      log.members.add(target);
      guard.started();
      return { position: `r-${log.entries.length}` };
    },
    async publish(payload) {
      guard.assertUsable('publish');
      if (typeof payload !== 'string')
        throw new SseError('SSE_INVALID_FIELD', 'Bus payload must be a string.');
      const entry = { position: `r-${log.entries.length + 1}`, payload };
      log.entries.push(entry);
      for (const member of log.members) member.entry(entry);
      return entry.position;
    },
    async readAfter(position, limit) {
      guard.assertUsable('read history');
      const after = seq(position);
      if (after === undefined) return { ok: false, reason: 'malformed' };
      if (after > log.entries.length) return { ok: false, reason: 'unknown-position' };
      return { ok: true, entries: log.entries.slice(after, after + limit) };
    },
    comparePositions(a, b) {
      const left = seq(a);
      const right = seq(b);
      return left === undefined || right === undefined ? undefined : left - right;
    },
    async close() {
      if (!guard.close()) return;
      if (listener) log.members.delete(listener);
      listener?.status('closed');
    },
  };
}

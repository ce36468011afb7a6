import { randomBytes } from 'node:crypto';
import { SseError } from '../errors.js';
import type { Bus, BusEntry, BusListener, BusStart } from './bus.js';
import { BusGuard } from './kit/bus-guard.js';

/**
 * An in-process "broker": the log that several {@link createMemoryBus} members share.
 * One is created per bus by default; pass the same log to several buses (several hubs in
 * one process, or tests) to make them members of one channel.
 */
export interface MemoryLog {
  /** Random per log, so positions of an earlier process never match this one's. */
  readonly epoch: string;
  /** @internal */
  readonly members: Set<MemoryMember>;
  /** @internal Entries accepted but not yet handed to every member. */
  readonly pending: BusEntry[];
  /** @internal */
  sequence: number;
  /** @internal */
  draining: boolean;
}

interface MemoryMember {
  readonly listener: BusListener;
}

/** Creates a log that several in-process buses can share. */
export function createMemoryLog(): MemoryLog {
  return {
    epoch: randomBytes(4).toString('hex'),
    members: new Set(),
    pending: [],
    sequence: 0,
    draining: false,
  };
}

/** Options for {@link createMemoryBus}. */
export interface MemoryBusOptions {
  /** Share one log between several buses in this process. @default a new log */
  readonly log?: MemoryLog;
}

// Entries are handed out by a single drain loop so that a listener publishing from inside
// its callback cannot make two members see entries in different orders.
function drain(log: MemoryLog): void {
  if (log.draining) return;
  log.draining = true;
  try {
    for (let entry = log.pending.shift(); entry; entry = log.pending.shift()) {
      for (const member of log.members) member.listener.entry(entry);
    }
  } finally {
    log.draining = false;
  }
}

/**
 * The default bus: one process, no broker, nothing retained beyond the hub's own replay
 * window. Entries are delivered synchronously, in publish order, to every member.
 *
 * @example
 * ```ts
 * const hub = createHub({ bus: createMemoryBus() });
 * ```
 */
export function createMemoryBus(options: MemoryBusOptions = {}): Bus {
  const log = options.log ?? createMemoryLog();
  const guard = new BusGuard('memory');
  let member: MemoryMember | undefined;

  return {
    kind: 'memory',
    retainsHistory: false,
    async start(listener: BusListener): Promise<BusStart> {
      guard.beginStart();
      member = { listener };
      log.members.add(member);
      guard.started();
      listener.status('ready');
      // The last entry this member will not see: entries still pending (and the one being
      // handed out, when start() runs inside a listener) reach it too. Sequence 0 is the
      // origin of an empty log.
      const unseen = log.pending.length + (log.draining ? 1 : 0);
      return { position: `${log.epoch}-${log.sequence - unseen}` };
    },
    async publish(payload: string): Promise<string> {
      if (guard.isClosed) throw guard.closedError('publish');
      if (typeof payload !== 'string') {
        throw new SseError(
          'SSE_INVALID_FIELD',
          `Bus payload must be a string, got ${typeof payload}.`,
        );
      }
      log.sequence += 1;
      const position = `${log.epoch}-${log.sequence}`;
      log.pending.push({ position, payload });
      drain(log);
      return position;
    },
    comparePositions(a: string, b: string): number | undefined {
      const prefix = `${log.epoch}-`;
      if (!a.startsWith(prefix) || !b.startsWith(prefix)) return undefined;
      return Number(a.slice(prefix.length)) - Number(b.slice(prefix.length));
    },
    async close(): Promise<void> {
      if (!guard.close()) return;
      if (member) {
        log.members.delete(member);
        member.listener.status('closed');
      }
    },
  };
}

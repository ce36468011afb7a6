import { randomBytes } from 'node:crypto';
import { SseError } from '../errors.js';
import type { Bus, BusAppend, BusEntry, BusListener, BusStart } from './bus.js';
import { BusGuard } from './kit/bus-guard.js';
import { checkIdempotencyKey, idempotencyWindowOf } from './kit/idempotency.js';

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
  /** @internal Idempotency keys, oldest first: the position they hold and until when. */
  readonly keys: Map<string, { readonly position: string; readonly expiresAt: number }>;
  /** @internal Most keys held; past it the oldest is forgotten. */
  readonly maxKeys: number;
}

interface MemoryMember {
  readonly listener: BusListener;
}

/** Options for {@link createMemoryLog}. */
export interface MemoryLogOptions {
  /**
   * Most idempotency keys remembered (about 150 bytes each). Past it the oldest key is
   * forgotten before its window ends, and a late retry of it would be delivered again.
   * @default 100000
   */
  readonly maxIdempotencyKeys?: number;
}

/**
 * Creates a log that several in-process buses can share.
 * @param options - the bound on idempotency keys.
 * @throws SseError `SSE_INVALID_OPTION` when `maxIdempotencyKeys` is not a positive integer.
 */
export function createMemoryLog(options: MemoryLogOptions = {}): MemoryLog {
  const maxKeys = options.maxIdempotencyKeys ?? 100_000;
  if (!Number.isSafeInteger(maxKeys) || maxKeys <= 0) {
    throw new SseError(
      'SSE_INVALID_OPTION',
      `maxIdempotencyKeys must be a positive integer, got ${String(maxKeys)}.`,
    );
  }
  return {
    epoch: randomBytes(4).toString('hex'),
    members: new Set(),
    pending: [],
    sequence: 0,
    draining: false,
    keys: new Map(),
    maxKeys,
  };
}

/** Options for {@link createMemoryBus}. */
export interface MemoryBusOptions {
  /** Share one log between several buses in this process. @default a new log */
  readonly log?: MemoryLog;
}

/** Appends to the log (not yet handed out) and returns the new position. */
function append(log: MemoryLog, payload: string): string {
  log.sequence += 1;
  const position = `${log.epoch}-${log.sequence}`;
  log.pending.push({ position, payload });
  return position;
}

/**
 * The position that holds `key` within its window, if any. Keys are held in insertion order
 * and checked lazily: expired ones at the front are dropped on the way.
 */
function heldKey(log: MemoryLog, key: string, now: number): string | undefined {
  for (const [oldest, held] of log.keys) {
    if (held.expiresAt > now) break;
    log.keys.delete(oldest);
  }
  const held = log.keys.get(key);
  return held !== undefined && held.expiresAt > now ? held.position : undefined;
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
 * window. Entries are delivered synchronously, in publish order, to every member. It
 * deduplicates: the log holds each idempotency key (bounded, see {@link MemoryLogOptions})
 * for the window its publisher was started with.
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
  let windowMs = idempotencyWindowOf(undefined);

  const checkPayload = (payload: unknown): void => {
    if (guard.isClosed) throw guard.closedError('publish');
    if (typeof payload !== 'string') {
      throw new SseError(
        'SSE_INVALID_FIELD',
        `Bus payload must be a string, got ${typeof payload}.`,
      );
    }
  };

  return {
    kind: 'memory',
    retainsHistory: false,
    deduplicates: true,
    async start(listener: BusListener, options): Promise<BusStart> {
      windowMs = idempotencyWindowOf(options);
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
      checkPayload(payload);
      const position = append(log, payload);
      drain(log);
      return position;
    },
    async publishOnce(payload, options): Promise<BusAppend> {
      checkPayload(payload);
      const key = checkIdempotencyKey(options?.key, 'key');
      const now = Date.now();
      const first = heldKey(log, key, now);
      if (first !== undefined) return { position: first, duplicate: true };
      const position = append(log, payload);
      // Held before the entry is handed out, so that a listener retrying from inside its
      // callback already finds it.
      log.keys.delete(key);
      log.keys.set(key, { position, expiresAt: now + windowMs });
      if (log.keys.size > log.maxKeys) log.keys.delete(log.keys.keys().next().value!);
      drain(log);
      return { position, duplicate: false };
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

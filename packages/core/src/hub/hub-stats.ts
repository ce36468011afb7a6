import type { BusState } from '../bus/bus.js';
import type { DisconnectReason, DropReason } from './stream-outcomes.js';

/** A snapshot from `hub.stats()`. Counters are totals since the hub was created. */
export interface HubStats {
  readonly instanceId: string;
  /** Open streams, distinct users and non-empty rooms on this instance. */
  readonly connections: number;
  readonly users: number;
  readonly rooms: number;
  /** `publish()` calls accepted by the bus, and those that failed. */
  readonly published: number;
  readonly publishErrors: number;
  /** Entries received from the bus. */
  readonly messagesIn: number;
  /** Frames handed to sockets (one per message per recipient), and their bytes. */
  readonly deliveries: number;
  readonly bytesOut: number;
  /** Frames dropped or connections cut, by reason. */
  readonly drops: Readonly<Record<DropReason, number>>;
  readonly disconnects: Readonly<Record<DisconnectReason, number>>;
  /** Largest queue any connection reached. */
  readonly queueHighWater: { readonly items: number; readonly bytes: number };
  readonly replay: {
    readonly windowEntries: number;
    readonly windowBytes: number;
    /** Reconnects served from the window or history, and frames replayed. */
    readonly hits: number;
    readonly replayedFrames: number;
    /** History pages read from the bus. */
    readonly historyReads: number;
    /** Reset events sent (unknown, too old, malformed, foreign epoch, gaps, drops). */
    readonly resets: number;
  };
  readonly idempotency: {
    /** `publish()` calls answered as the repeat of a key published within the window. */
    readonly repeats: number;
    /** Bus entries dropped as repeats, live and in replays (only on a bus that does not deduplicate). */
    readonly dropped: number;
    /** Keys this instance remembers. */
    readonly keys: number;
  };
  readonly bus: {
    readonly kind: string;
    readonly state: BusState;
    /** Times the bus left `ready`. */
    readonly outages: number;
    /** Possible losses the bus reported (non-retaining buses after an outage). */
    readonly gaps: number;
  };
}

/** Mutable counters behind {@link HubStats}. */
export class HubCounters {
  published = 0;
  publishErrors = 0;
  messagesIn = 0;
  deliveries = 0;
  bytesOut = 0;
  drops: Record<DropReason, number> = {
    'queue-full-oldest': 0,
    'queue-full-newest': 0,
    'slow-consumer': 0,
    stalled: 0,
  };
  disconnects: Record<DisconnectReason, number> = {
    'client-closed': 0,
    'slow-consumer': 0,
    'closed-by-server': 0,
    shutdown: 0,
    error: 0,
  };
  queueHighItems = 0;
  queueHighBytes = 0;
  replayHits = 0;
  replayedFrames = 0;
  historyReads = 0;
  resets = 0;
  busOutages = 0;
  busGaps = 0;
  repeatsAnswered = 0;
  repeatsDropped = 0;
}

/** The gauges a stats snapshot reads besides the counters. */
export interface StatsGauges {
  readonly instanceId: string;
  readonly connections: number;
  readonly users: number;
  readonly rooms: number;
  readonly windowEntries: number;
  readonly windowBytes: number;
  readonly idempotencyKeys: number;
  readonly busKind: string;
  readonly busState: BusState;
}

/** A snapshot of `counters` and `gauges` (copies: later changes do not show through). O(1). */
export function snapshotStats(counters: HubCounters, gauges: StatsGauges): HubStats {
  const c = counters;
  return {
    instanceId: gauges.instanceId,
    connections: gauges.connections,
    users: gauges.users,
    rooms: gauges.rooms,
    published: c.published,
    publishErrors: c.publishErrors,
    messagesIn: c.messagesIn,
    deliveries: c.deliveries,
    bytesOut: c.bytesOut,
    drops: { ...c.drops },
    disconnects: { ...c.disconnects },
    queueHighWater: { items: c.queueHighItems, bytes: c.queueHighBytes },
    replay: {
      windowEntries: gauges.windowEntries,
      windowBytes: gauges.windowBytes,
      hits: c.replayHits,
      replayedFrames: c.replayedFrames,
      historyReads: c.historyReads,
      resets: c.resets,
    },
    idempotency: {
      repeats: c.repeatsAnswered,
      dropped: c.repeatsDropped,
      keys: gauges.idempotencyKeys,
    },
    bus: { kind: gauges.busKind, state: gauges.busState, outages: c.busOutages, gaps: c.busGaps },
  };
}

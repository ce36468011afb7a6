import type { Bus } from '../bus/bus.js';
import { toError } from '../errors.js';
import { POSITION_EVENT, RESET_EVENT } from '../wire/control-events.js';
import { encodeFrame } from '../wire/frame-encoder.js';
import type { LastEventIdResult } from '../wire/last-event-id.js';
import type { Connection } from './connection.js';
import { decodeControl, payloadKind } from './control-ops.js';
import type { Delivery } from './delivery.js';
import { decodeEnvelope } from './envelope.js';
import type { ResolvedHubOptions } from './hub-options.js';
import type { HubReporter } from './hub-reporter.js';
import type { HubCounters } from './hub-stats.js';
import type { IdempotencyLedger, ReplayRepeats } from './idempotency-ledger.js';
import { addresses, type Registry } from './registry.js';
import { replayMembership } from './replay-membership.js';
import type { ReplayWindow, WindowEntry } from './replay-window.js';

/** What catch-up works with; each part is its own and is only called, never reached into. */
export interface CatchUpParts {
  readonly bus: Bus;
  readonly window: ReplayWindow;
  readonly registry: Registry;
  readonly delivery: Delivery;
  readonly counters: HubCounters;
  readonly reporter: HubReporter;
  readonly replay: ResolvedHubOptions['replay'];
  readonly ledger: IdempotencyLedger;
}

/** One page of history, replayed; or why history cannot prove continuity. */
type HistoryPage = { entries: number; replayed: number; cursor: string } | string;

/**
 * From a client's Last-Event-ID to live: what the stream missed, in order, then live
 * entries, with no gap and no duplicate at the seam; or an `sse-reset` when continuity
 * cannot be proven. Read {@link CatchUp.run} top to bottom:
 *
 * 1. no id: the stream is given its position (`sse-position`) and goes live;
 * 2. a malformed id: reset, live;
 * 3. an id in the replay window (or its floor): the window's entries after it, live;
 * 4. otherwise, pages of the bus's history until its head, then live; entries this
 *    instance has not received yet are skipped when they arrive (`skipThrough`);
 * 5. no history, a foreign epoch, trimmed entries, or too far behind: reset, live.
 *
 * History may hold both appends of one idempotency key (on a bus that does not refuse
 * repeats): the second is skipped, as the bus feed skipped it live.
 *
 * Also the place every reset is made: for one stream, or for all after a bus gap.
 */
export class CatchUp {
  /** Connections that still skip entries they got from history. */
  private skippers = 0;
  /** The `sse-position` frame of the newest position, encoded once per position. */
  private anchor: { position: string; frame: Buffer } | undefined;
  /** The last replay shared between streams resuming from the same id (see sharedReplay). */
  private replayCache: { cursor: string; head: string; frames: number; chunk: Buffer } | undefined;
  /** Streams catching up now, with the newest position this instance knew when each opened. */
  private readonly running = new Map<Connection, string | undefined>();

  constructor(private readonly parts: CatchUpParts) {}

  /** Sends what the client missed (or a reset), then makes the stream live. Never throws. */
  async run(connection: Connection, lastEventId: LastEventIdResult): Promise<void> {
    this.running.set(connection, this.parts.window.position);
    try {
      if (lastEventId.kind === 'none') this.stageAnchor(connection);
      else if (lastEventId.kind === 'malformed')
        this.reset(connection, `malformed-last-event-id: ${lastEventId.reason}`);
      else await this.resume(connection, lastEventId.id);
    } finally {
      this.running.delete(connection);
    }
    this.parts.delivery.goLive(connection);
  }

  /**
   * Streams catching up now that a control operation at `position` concerns: those opened
   * before it was appended, as far as this instance can tell (an operation this instance
   * receives late may be older than a stream that is replaying; the bus order cannot say).
   */
  *inProgress(position: string): Iterable<Connection> {
    const compare = this.parts.bus.comparePositions;
    for (const [connection, openedAt] of this.running) {
      const order = openedAt === undefined ? undefined : compare?.(position, openedAt);
      if (order === undefined || order > 0) yield connection;
    }
  }

  /** Whether some connection still skips live entries it already got from history. */
  get skipping(): boolean {
    return this.skippers > 0;
  }

  /** Whether a live entry was already replayed to `connection` from history. */
  alreadySent(connection: Connection, position: string): boolean {
    if (connection.skipThrough === undefined) return false;
    const order = this.parts.bus.comparePositions?.(position, connection.skipThrough);
    if (order !== undefined && order <= 0) return true;
    // The log is ordered: once a newer entry arrives, nothing older will follow.
    this.forget(connection);
    return false;
  }

  /** Drops what catch-up keeps for a connection that ended or caught up. */
  forget(connection: Connection): void {
    if (connection.skipThrough === undefined) return;
    connection.skipThrough = undefined;
    this.skippers--;
  }

  /** Tells one stream it may have missed messages (its id moves to the newest position). */
  reset(connection: Connection, reason: string): void {
    this.parts.counters.resets++;
    this.parts.delivery.stage(connection, this.resetFrame(reason), -1);
    this.parts.reporter.notify('reset', connection.handle, reason);
  }

  /**
   * The bus may have lost entries: nothing is replayed across this point any more, and every
   * live stream is told to refetch. `resumeAt`, when the bus knows it, is where the log is
   * continuous again.
   */
  announceGap(reason: string, resumeAt: string | undefined): void {
    const { counters, window, registry, delivery, reporter } = this.parts;
    counters.busGaps++;
    window.breakContinuity(resumeAt);
    const frame = this.resetFrame(`bus-gap: ${reason}`);
    for (const connection of registry.byId.values()) {
      counters.resets++;
      delivery.stage(connection, frame, -1);
    }
    reporter.notify('reset', undefined, `bus-gap: ${reason}`);
  }

  /** From `cursor` on: the window when it reaches back that far, else pages of history. */
  private async resume(connection: Connection, from: string): Promise<void> {
    const { window, counters, replay } = this.parts;
    let cursor = from;
    let replayed = 0;
    const repeats = this.parts.ledger.replay();
    for (;;) {
      if (connection.isEnding) return;
      const fromWindow = window.after(cursor);
      if (fromWindow) {
        replayed += this.replayWindow(connection, cursor, fromWindow);
        break;
      }
      const page = await this.replayHistoryPage(connection, cursor, repeats);
      if (typeof page === 'string') return this.reset(connection, page);
      if (page.entries === 0) {
        // The cursor was the broker's head when the read ran. If this instance has received
        // it, the window takes over on the next turn: entries that reached this instance
        // while the read was in flight are there, and were not sent to this stream (it is
        // not live yet). If it has not, skip those entries when they arrive.
        if (window.has(cursor)) continue;
        connection.skipThrough = cursor;
        this.skippers++;
        break;
      }
      replayed += page.replayed;
      cursor = page.cursor;
      if (replayed > replay.maxReplayEntries) return this.reset(connection, 'too-far-behind');
    }
    counters.replayHits++;
    counters.replayedFrames += replayed;
  }

  /** Stages the window's entries addressed to the stream; returns how many. */
  private replayWindow(
    connection: Connection,
    cursor: string,
    entries: readonly WindowEntry[],
  ): number {
    const shared = this.sharedReplay(cursor, entries);
    if (shared) {
      this.parts.delivery.stage(connection, shared.chunk, -1, shared.frames);
      return shared.frames;
    }
    let replayed = 0;
    for (const entry of entries) {
      if (entry.control) replayMembership(entry.control, connection);
      else if (addresses(entry.target, connection)) {
        this.parts.delivery.stage(connection, entry.frame, -1);
        replayed++;
      }
    }
    return replayed;
  }

  /**
   * The window's entries after `cursor` as one buffer, when they are all broadcasts (so the
   * same for every stream) and worth joining. Clients that reconnect together (a restart,
   * a network blip) resume from the same id: they share one buffer instead of each getting
   * a copy of what they missed.
   */
  private sharedReplay(
    cursor: string,
    entries: readonly WindowEntry[],
  ): { chunk: Buffer; frames: number } | undefined {
    if (entries.length < 2) return undefined;
    const head = entries[entries.length - 1]!.position;
    const cached = this.replayCache;
    if (cached?.cursor === cursor && cached.head === head && cached.frames === entries.length)
      return cached;
    for (const entry of entries) if (entry.target.kind !== 'all' || entry.control) return undefined;
    const chunk = Buffer.concat(entries.map((entry) => entry.frame));
    this.replayCache = { cursor, head, frames: entries.length, chunk };
    return this.replayCache;
  }

  /** Reads one page of bus history after `cursor`; returns a reset reason on failure. */
  private async replayHistoryPage(
    connection: Connection,
    cursor: string,
    repeats: ReplayRepeats | undefined,
  ): Promise<HistoryPage> {
    const { bus, counters, reporter, replay, delivery } = this.parts;
    if (!bus.retainsHistory || !bus.readAfter) return 'unknown-last-event-id';
    let result: Awaited<ReturnType<NonNullable<Bus['readAfter']>>>;
    try {
      counters.historyReads++;
      result = await bus.readAfter(cursor, replay.historyPageSize);
    } catch (error) {
      reporter.error(toError(error), connection.handle);
      return 'history-unavailable';
    }
    if (!result.ok) return result.reason;
    let replayed = 0;
    let next = cursor;
    for (const entry of result.entries) {
      next = entry.position;
      try {
        const kind = payloadKind(entry.payload);
        if (kind === 'control') replayMembership(decodeControl(entry.payload), connection);
        if (kind !== 'message') continue; // presence notes are for instances, not clients
        const envelope = decodeEnvelope(entry.payload);
        // Every keyed entry is looked at, whoever it is for, as the bus feed does live.
        if (envelope.idempotency && repeats?.repeats(envelope.idempotency, entry.position)) {
          counters.repeatsDropped++;
          continue;
        }
        if (!addresses(envelope.target, connection)) continue;
        delivery.stage(
          connection,
          encodeFrame({ event: envelope.event, data: envelope.data, id: entry.position }),
          -1,
        );
        replayed++;
      } catch (error) {
        reporter.error(toError(error), connection.handle);
      }
    }
    return { entries: result.entries.length, replayed, cursor: next };
  }

  /**
   * Gives a fresh stream its position: a named event whose `id:` is the newest position, so
   * a reconnect resumes from there instead of missing what was sent in between. Not an
   * id-only frame: some clients (the `eventsource` package) never surface those.
   */
  private stageAnchor(connection: Connection): void {
    const position = this.parts.window.position;
    if (position === undefined) return;
    if (this.anchor?.position !== position)
      this.anchor = {
        position,
        frame: encodeFrame({ event: POSITION_EVENT, data: '{}', id: position }),
      };
    this.parts.delivery.stage(connection, this.anchor.frame, -1);
  }

  private resetFrame(reason: string): Buffer {
    // Carries the newest position as its id, so the client's next reconnect starts from a
    // known point. Never an empty id: that would clear the client's id, and its next
    // reconnect would lose silently. (The position is unknown only before the bus started,
    // when no stream is open.)
    return encodeFrame({
      event: RESET_EVENT,
      data: JSON.stringify({ reason }),
      id: this.parts.window.position,
    });
  }
}

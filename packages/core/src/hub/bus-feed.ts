import type { Bus, BusEntry, BusListener, BusStart, BusState } from '../bus/bus.js';
import { MAX_POSITION_LENGTH } from '../bus/bus.js';
import { isSseError, SseError, toError } from '../errors.js';
import { encodeFrame } from '../wire/frame-encoder.js';
import type { CatchUp } from './catch-up.js';
import { decodeControl, decodePresence, type PayloadKind, payloadKind } from './control-ops.js';
import type { Delivery } from './delivery.js';
import { decodeEnvelope } from './envelope.js';
import type { HubReporter } from './hub-reporter.js';
import type { HubCounters } from './hub-stats.js';
import type { IdempotencyLedger } from './idempotency-ledger.js';
import type { LocalControl } from './local-control.js';
import type { Presence } from './presence.js';
import type { Receipts } from './receipts.js';
import type { Registry } from './registry.js';
import type { ReplayWindow } from './replay-window.js';

/** What the feed hands entries and news to. */
export interface BusFeedParts {
  readonly bus: Bus;
  readonly window: ReplayWindow;
  readonly registry: Registry;
  readonly delivery: Delivery;
  readonly catchUp: CatchUp;
  readonly receipts: Receipts;
  readonly counters: HubCounters;
  readonly reporter: HubReporter;
  /** Its window is told to the bus at start: how long its broker remembers a key. */
  readonly ledger: IdempotencyLedger;
  readonly control: LocalControl;
  /** Present when the hub keeps presence. */
  readonly presence: Presence | undefined;
}

/** What a control entry is kept in the window with: it is sent to nobody. */
const NOBODY = { kind: 'connection', value: '' } as const;
const NO_FRAME: Buffer = Buffer.alloc(0);

/**
 * The hub's side of the bus ({@link BusListener}): every entry is encoded once, sent to the
 * live streams it is addressed to, kept in the replay window and counted for its receipt;
 * the bus's state, gaps and errors reach the application. A keyed entry is recorded in the
 * idempotency ledger first, which drops it when it repeats a key (on a bus that cannot
 * refuse repeats itself): a dropped entry reaches no stream and no replay window.
 */
export class BusFeed implements BusListener {
  private current: BusState = 'connecting';

  constructor(private readonly parts: BusFeedParts) {}

  /** The bus's state as last reported. */
  get state(): BusState {
    return this.current;
  }

  /**
   * Starts the bus with this feed as its listener and reports it `ready`.
   * @throws SseError `SSE_BUS_UNAVAILABLE` (as a rejection) when the bus cannot start,
   *   `SSE_BUS_PROTOCOL` when it does not say where its log starts (it is then closed).
   */
  async start(): Promise<void> {
    const { bus, reporter, ledger } = this.parts;
    let start: BusStart | undefined;
    try {
      start = await bus.start(this, { idempotencyWindowMs: ledger.windowMs });
    } catch (error) {
      throw isSseError(error)
        ? error
        : new SseError(
            'SSE_BUS_UNAVAILABLE',
            `The ${bus.kind} bus failed to start: ${toError(error).message}`,
            { cause: error },
          );
    }
    try {
      this.started(start);
    } catch (error) {
      // A bus that breaks its contract stays unusable: close what it opened.
      bus.close().catch((closeError: unknown) => reporter.error(toError(closeError)));
      throw error;
    }
    this.status('ready');
  }

  /**
   * Takes what `bus.start()` resolved with as the replay window's origin.
   * @throws SseError `SSE_BUS_PROTOCOL` when it is not `{ position }` with a valid position.
   */
  private started(start: BusStart | undefined): void {
    const position = start?.position;
    if (!isPosition(position)) {
      throw new SseError(
        'SSE_BUS_PROTOCOL',
        `The ${this.parts.bus.kind} bus's start() resolved with ${JSON.stringify(start)?.slice(0, 80)}; ` +
          `expected { position } (the log's position when the subscription began, at most ${MAX_POSITION_LENGTH} characters without CR, LF or NUL). ` +
          'Without it, a stream opened before the first message could not resume.',
      );
    }
    this.parts.window.setOrigin(position);
  }

  readonly entry = (entry: BusEntry): void => {
    const { counters, delivery, registry, catchUp, window, receipts, reporter, ledger } =
      this.parts;
    counters.messagesIn++;
    let frame: Buffer;
    let envelope: ReturnType<typeof decodeEnvelope>;
    try {
      // CR, LF and NUL are caught by the encoder (SSE_FRAME_INJECTION).
      if (typeof entry.position !== 'string' || entry.position.length > MAX_POSITION_LENGTH) {
        throw new SseError(
          'SSE_BUS_PROTOCOL',
          `The ${this.parts.bus.kind} bus delivered an invalid position.`,
        );
      }
      const kind = payloadKind(entry.payload);
      if (kind !== 'message') {
        this.instruction(kind, entry);
        return;
      }
      envelope = decodeEnvelope(entry.payload);
      frame = encodeFrame({ event: envelope.event, data: envelope.data, id: entry.position });
    } catch (error) {
      reporter.error(toError(error));
      return;
    }
    if (envelope.idempotency !== undefined) {
      const first = ledger.admit(envelope.idempotency, entry.position);
      if (first !== undefined) {
        counters.repeatsDropped++;
        receipts.repeated(entry.position, first);
        return;
      }
    }
    const seq = delivery.share(frame);
    let recipients = 0;
    if (envelope.target.kind === 'all' && !catchUp.skipping) {
      // The common case, O(1): every live connection gets it, at the flush.
      delivery.broadcast(seq, frame.length);
      recipients = registry.byId.size;
    } else
      for (const connection of registry.recipients(envelope.target)) {
        if (connection.skipThrough !== undefined && catchUp.alreadySent(connection, entry.position))
          continue;
        delivery.stage(connection, frame, seq);
        recipients++;
      }
    window.append({ position: entry.position, target: envelope.target, frame, at: Date.now() });
    receipts.delivered(entry.position, recipients);
  };

  /**
   * A control operation: applied to this instance's streams now, in bus order, and kept in the
   * window so that replays change rooms where it stands. A presence note: applied to the
   * cluster-wide view only.
   * @throws SseError `SSE_BUS_PROTOCOL` for an entry this version cannot read.
   */
  private instruction(kind: Exclude<PayloadKind, 'message'>, entry: BusEntry): void {
    const { control, presence, window, receipts } = this.parts;
    if (kind === 'presence') {
      const note = decodePresence(entry.payload);
      presence?.apply(note);
      return;
    }
    const op = decodeControl(entry.payload);
    const changed = control.apply(op, entry.position);
    window.append({
      position: entry.position,
      target: NOBODY,
      frame: NO_FRAME,
      at: Date.now(),
      control: op,
    });
    receipts.delivered(entry.position, changed);
  }

  readonly status = (state: BusState, error?: Error): void => {
    const previous = this.current;
    if (previous === state) return;
    this.current = state;
    if (previous === 'ready' && state !== 'ready') this.parts.counters.busOutages++;
    this.parts.reporter.notify('bus', state, error);
  };

  readonly gap = (reason: string, resumeAt?: string): void => {
    this.parts.catchUp.announceGap(reason, isPosition(resumeAt) ? resumeAt : undefined);
    this.parts.presence?.onGap();
  };

  readonly error = (error: Error): void => {
    this.parts.reporter.error(error);
  };
}

/** Whether `value` can be a position: a string of at most 256 characters, safe as an `id:`. */
function isPosition(value: unknown): value is string {
  return (
    typeof value === 'string' && value.length <= MAX_POSITION_LENGTH && !/[\r\n\0]/.test(value)
  );
}

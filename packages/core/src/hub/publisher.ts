import type { Bus } from '../bus/bus.js';
import { checkIdempotencyKey } from '../bus/kit/idempotency.js';
import { isSseError, SseError, toError } from '../errors.js';
import { assertSingleLine } from '../wire/frame-encoder.js';
import { encodeEnvelope, type IdempotencyStamp } from './envelope.js';
import type { PublishMessage, PublishReceipt } from './hub-api.js';
import type { ResolvedHubOptions } from './hub-options.js';
import type { HubCounters } from './hub-stats.js';
import type { IdempotencyLedger } from './idempotency-ledger.js';
import { serializePayload } from './payload.js';
import type { Receipts } from './receipts.js';
import { resolveTarget } from './target.js';

/** What the publish path works with. */
export interface PublisherParts {
  readonly bus: Bus;
  readonly receipts: Receipts;
  readonly counters: HubCounters;
  readonly ledger: IdempotencyLedger;
}

/** A checked, serialized message, ready for the bus. */
export interface PreparedMessage {
  /** The envelope, encoded. */
  readonly payload: string;
  /** Its idempotency key and stamp, when it has one. */
  readonly idempotency: IdempotencyStamp | undefined;
}

/**
 * The publish path: the message is checked and serialized here, once, then appended to the
 * bus; it resolves with the bus position and, once the entry came back, how many streams
 * on this instance were sent it. Encoding the frame is the bus feed's, on every instance.
 *
 * A message with an idempotency key takes three shortcuts, cheapest first: a publish of the
 * same key already under way on this instance is waited for instead of sent again; a key
 * the ledger has seen on the bus within the window is answered at once; a bus that
 * deduplicates is asked to append only once (`publishOnce`). Otherwise the entry is appended
 * and the bus feed tells whether it was dropped as a repeat.
 */
export class Publisher {
  /** Keyed publishes under way on this instance, so that concurrent retries send once. */
  private readonly inFlight = new Map<string, Promise<PublishReceipt>>();

  constructor(
    private readonly parts: PublisherParts,
    private readonly options: Pick<ResolvedHubOptions, 'serializer' | 'maxPayloadBytes'>,
  ) {}

  /**
   * Checks and serializes `message` (synchronously, before anything is sent).
   * @returns the bus payload and its idempotency stamp.
   * @throws SseError `SSE_INVALID_FIELD` (also for a bad `idempotencyKey`),
   *   `SSE_INVALID_TARGET`, `SSE_FRAME_INJECTION`, `SSE_SERIALIZE_FAILED`,
   *   `SSE_PAYLOAD_TOO_LARGE`.
   */
  prepare(message: PublishMessage): PreparedMessage {
    if (typeof message !== 'object' || message === null) {
      throw new SseError('SSE_INVALID_FIELD', 'publish() takes an object { to?, event?, data }.');
    }
    const target = resolveTarget(message.to);
    if (message.event !== undefined) assertSingleLine('event', message.event);
    const idempotency =
      message.idempotencyKey === undefined
        ? undefined
        : { key: checkIdempotencyKey(message.idempotencyKey), at: Date.now() };
    const { serializer, maxPayloadBytes } = this.options;
    const data = serializePayload(serializer, message.data, maxPayloadBytes);
    return {
      payload: encodeEnvelope({ target, event: message.event, data, idempotency }),
      idempotency,
    };
  }

  /**
   * Appends a prepared message to the bus (once per idempotency key within the window).
   * @throws SseError `SSE_BUS_UNAVAILABLE` (or the bus's own `SseError`) when it is not accepted.
   */
  send(prepared: PreparedMessage): Promise<PublishReceipt> {
    const stamp = prepared.idempotency;
    if (stamp === undefined) return this.append(prepared.payload);
    return this.once(stamp.key, () => {
      const first = this.parts.ledger.known(stamp.key, stamp.at);
      if (first !== undefined) return Promise.resolve(this.repeat(first));
      return this.append(prepared.payload, stamp.key);
    });
  }

  /**
   * Runs `send` unless a publish of `key` is already under way here: then its receipt, as a
   * repeat. When that one fails, the next waiter sends (its outcome was unknown, and the
   * bus's own check decides whether it got through).
   */
  private async once(key: string, send: () => Promise<PublishReceipt>): Promise<PublishReceipt> {
    for (let leader = this.inFlight.get(key); leader; leader = this.inFlight.get(key)) {
      try {
        return this.repeat((await leader).id);
      } catch {
        // The leader's caller gets its error; this one tries for itself.
      }
    }
    const attempt = send();
    this.inFlight.set(key, attempt);
    try {
      return await attempt;
    } finally {
      if (this.inFlight.get(key) === attempt) this.inFlight.delete(key);
    }
  }

  /**
   * Appends a control operation (already encoded) and waits until this instance applied it.
   * @returns its position and how many local streams it changed (`undefined` after 5 s).
   * @throws SseError `SSE_BUS_UNAVAILABLE` (or the bus's own `SseError`).
   */
  async sendControl(payload: string): Promise<{ id: string; localStreams: number | undefined }> {
    const { id, localRecipients } = await this.append(payload, undefined, false);
    return { id, localStreams: localRecipients };
  }

  /**
   * Appends and waits for this instance's delivery of it (or its drop as a repeat).
   * `counted`: a message (`stats().published`), not a control operation.
   */
  private async append(payload: string, key?: string, counted = true): Promise<PublishReceipt> {
    const { bus, receipts, counters, ledger } = this.parts;
    let position: string;
    receipts.sending();
    try {
      // The ledger knows whether the bus refuses repeats itself (see ledgerFor).
      if (key !== undefined && !ledger.filters && bus.publishOnce) {
        const appended = await bus.publishOnce(payload, { key });
        if (appended.duplicate) {
          receipts.settled();
          return this.repeat(appended.position);
        }
        position = appended.position;
      } else position = await bus.publish(payload);
    } catch (error) {
      receipts.settled();
      if (isSseError(error)) throw error;
      throw new SseError(
        'SSE_BUS_UNAVAILABLE',
        `The ${bus.kind} bus did not accept the message: ${toError(error).message}`,
        { cause: error },
      );
    }
    const outcome = receipts.outcomeOf(position);
    receipts.settled();
    // Only a keyed entry on a bus the hub filters can turn out to be a repeat: count the
    // others as published at once, as soon as the bus accepted them.
    const mayRepeat = key !== undefined && ledger.filters;
    if (!mayRepeat && counted) counters.published++;
    const local = await outcome;
    if (typeof local === 'object') return this.repeat(local.repeatOf);
    if (mayRepeat && counted) counters.published++;
    return { id: position, localRecipients: local, duplicate: false };
  }

  private repeat(first: string): PublishReceipt {
    this.parts.counters.repeatsAnswered++;
    return { id: first, localRecipients: 0, duplicate: true };
  }
}

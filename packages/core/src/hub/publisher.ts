import type { Bus } from '../bus/bus.js';
import { isSseError, SseError, toError } from '../errors.js';
import { assertSingleLine } from '../wire/frame-encoder.js';
import { encodeEnvelope } from './envelope.js';
import type { PublishMessage, PublishReceipt } from './hub-api.js';
import type { ResolvedHubOptions } from './hub-options.js';
import type { HubCounters } from './hub-stats.js';
import { serializePayload } from './payload.js';
import type { Receipts } from './receipts.js';
import { resolveTarget } from './target.js';

/**
 * The publish path: the message is checked and serialized here, once, then appended to the
 * bus; it resolves with the bus position and, once the entry came back, how many streams
 * on this instance were sent it. Encoding the frame is the bus feed's, on every instance.
 */
export class Publisher {
  constructor(
    private readonly bus: Bus,
    private readonly options: Pick<ResolvedHubOptions, 'serializer' | 'maxPayloadBytes'>,
    private readonly receipts: Receipts,
    private readonly counters: HubCounters,
  ) {}

  /**
   * Checks and serializes `message` (synchronously, before anything is sent).
   * @returns the bus payload.
   * @throws SseError `SSE_INVALID_FIELD`, `SSE_INVALID_TARGET`, `SSE_FRAME_INJECTION`,
   *   `SSE_SERIALIZE_FAILED`, `SSE_PAYLOAD_TOO_LARGE`.
   */
  prepare(message: PublishMessage): string {
    if (typeof message !== 'object' || message === null) {
      throw new SseError('SSE_INVALID_FIELD', 'publish() takes an object { to?, event?, data }.');
    }
    const target = resolveTarget(message.to);
    if (message.event !== undefined) assertSingleLine('event', message.event);
    const { serializer, maxPayloadBytes } = this.options;
    const data = serializePayload(serializer, message.data, maxPayloadBytes);
    return encodeEnvelope({ target, event: message.event, data });
  }

  /**
   * Appends a prepared payload to the bus.
   * @throws SseError `SSE_BUS_UNAVAILABLE` (or the bus's own `SseError`) when it is not accepted.
   */
  async send(payload: string): Promise<PublishReceipt> {
    let position: string;
    this.receipts.sending();
    try {
      position = await this.bus.publish(payload);
    } catch (error) {
      this.receipts.settled();
      if (isSseError(error)) throw error;
      throw new SseError(
        'SSE_BUS_UNAVAILABLE',
        `The ${this.bus.kind} bus did not accept the message: ${toError(error).message}`,
        { cause: error },
      );
    }
    this.counters.published++;
    const delivered = this.receipts.countFor(position);
    this.receipts.settled();
    return { id: position, localRecipients: await delivered };
  }
}

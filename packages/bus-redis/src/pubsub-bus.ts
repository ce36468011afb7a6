import type { Bus } from '@sse/core';
import { freshEpoch, withDeadline } from './clients.js';
import { channelKeys } from './keys.js';
import { BusLifecycle } from './lifecycle.js';
import { checkCommonOptions, type RedisPubSubBusOptions } from './options.js';
import { comparePositions, parsePosition } from './position.js';
import { PUBSUB_APPEND } from './scripts.js';

/** The pub/sub-mode bus. See {@link createRedisBus}. */
export function createRedisPubSubBus(options: RedisPubSubBusOptions): Bus {
  checkCommonOptions(options);
  const keys = channelKeys(options.keyPrefix ?? 'sse:', options.channel);
  const publishTimeoutMs = options.publishTimeoutMs ?? 5_000;
  const lifecycle = new BusLifecycle(options);
  let lastEpoch: string | undefined;
  let lastSeq = 0;

  const onMessage = (channel: string, message: string): void => {
    if (channel !== keys.pubsub || lifecycle.closed) return;
    const { listener } = lifecycle.current;
    const newline = message.indexOf('\n');
    const position = newline === -1 ? '' : message.slice(0, newline);
    const parsed = parsePosition(position);
    if (!parsed) return;
    const seq = Number(parsed.id);
    // Positions are assigned by one INCR per publish, so a jump means this subscriber
    // missed messages (it was disconnected); an epoch change means Redis lost the counter.
    if (lastEpoch !== undefined && parsed.epoch !== lastEpoch) {
      listener.gap?.(`redis data was lost: epoch ${lastEpoch} became ${parsed.epoch}`);
    } else if (lastEpoch !== undefined && seq !== lastSeq + 1) {
      listener.gap?.(`missed ${seq - lastSeq - 1} message(s) while disconnected from Redis`);
    }
    lastEpoch = parsed.epoch;
    lastSeq = seq;
    listener.entry({ position, payload: message.slice(newline + 1) });
  };

  return {
    kind: 'redis-pubsub',
    retainsHistory: false,
    async start(listener) {
      const { clients } = await lifecycle.start(listener);
      clients.subscriber.on('message', onMessage);
      await withDeadline('SUBSCRIBE', publishTimeoutMs, () =>
        clients.subscriber.subscribe(keys.pubsub),
      );
    },
    async publish(payload) {
      const { commands } = lifecycle.current.clients;
      return String(
        await withDeadline('a publish', publishTimeoutMs, () =>
          commands.eval(PUBSUB_APPEND, 2, keys.seq, keys.epoch, payload, freshEpoch(), keys.pubsub),
        ),
      );
    },
    comparePositions,
    async close() {
      if (!lifecycle.closed) {
        try {
          lifecycle.current.clients.subscriber.off('message', onMessage);
        } catch {
          // Never started: nothing to unsubscribe.
        }
      }
      lifecycle.close();
    },
  };
}

import type { Consumer, ConsumerNotification } from '@nats-io/jetstream';
import { toError } from '@sse/core';

/**
 * Pull options of the consumer. A deep window (1000) so that a burst never waits for a pull
 * round trip. A 1 s heartbeat: the server sends one whenever a pull request is idle, and the
 * client reports `heartbeats_missed` after two silent intervals, so a consumer that stopped
 * receiving for any reason is noticed within 2–3 s (the library's default, half of a 30 s
 * expiry, takes 30–45 s). Pull requests expire after 10 s and are renewed.
 */
export const CONSUME = { max_messages: 1000, expires: 10_000, idle_heartbeat: 1_000 } as const;

/** Pauses between attempts to get a consumer going again; the last one repeats. */
export const RETRY_MS = [0, 250, 500, 1_000, 2_000] as const;

/**
 * What in a consumer's status means it has stopped delivering, or `undefined` for the
 * informational ones (pulls, heartbeats, discards, debug).
 */
export function stallOf(note: ConsumerNotification): Error | undefined {
  switch (note.type) {
    case 'heartbeats_missed':
      return new Error(`no message or heartbeat from JetStream for ${note.count} intervals`);
    case 'ordered_consumer_recreated':
      return new Error('the ordered consumer was recreated by the client library');
    case 'consumer_deleted':
      return new Error(`the consumer was deleted (${note.description})`);
    case 'consumer_not_found':
      return new Error(`consumer ${note.name} not found`);
    case 'stream_not_found':
      return new Error(`stream ${note.name} not found`);
    case 'no_responders':
      return new Error('JetStream did not answer a pull (no responders)');
    default:
      return undefined;
  }
}

/** Deletes an abandoned consumer on the server, not waiting for it. */
export function discard(consumer: Consumer): void {
  // Dropping a failure is right: the consumer is ephemeral (the server deletes it after 5
  // minutes without a pull, and a restarted server has already lost it), nothing reads it
  // any more, and the bus's state does not depend on it.
  consumer.delete().catch(() => undefined);
}

/** A bug in a listener (or here) must not vanish, nor crash the process from a loop. */
export function warn(error: unknown): void {
  process.emitWarning(toError(error), { code: 'SSE_BUS_NATS', detail: 'in the NATS bus reader' });
}

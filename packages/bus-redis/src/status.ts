import type { BusListener, BusState } from '@sse/core';
import type { BusClients, RedisClient } from './clients.js';

/**
 * Reports the bus's state from its two connections: `ready` when both are, else
 * `reconnecting`. Also keeps an `error` listener on them (ioredis would otherwise print
 * "Unhandled error event") and remembers the last error for the report.
 * @returns a function that removes every listener it added.
 */
export function watchStatus(clients: BusClients, listener: BusListener): () => void {
  let reported: BusState | undefined;
  let lastError: Error | undefined;
  const report = (): void => {
    const ready = clients.commands.status === 'ready' && clients.subscriber.status === 'ready';
    const state: BusState = ready ? 'ready' : 'reconnecting';
    if (state === reported) return;
    // Only an outage after the first ready is news; `connecting` is the hub's own default.
    if (reported === undefined && !ready) return;
    reported = state;
    listener.status?.(state, ready ? undefined : lastError);
  };
  const onError = (error: Error): void => {
    lastError = error;
  };
  const events = ['ready', 'close', 'end', 'reconnecting'] as const;
  const watched: RedisClient[] = [clients.commands, clients.subscriber];
  for (const client of watched) {
    client.on('error', onError);
    for (const event of events) client.on(event, report);
  }
  report();
  return () => {
    for (const client of watched) {
      client.off('error', onError);
      for (const event of events) client.off(event, report);
    }
  };
}

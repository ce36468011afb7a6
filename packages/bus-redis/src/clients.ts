import { randomBytes } from 'node:crypto';
import { SseError } from '@sse/core';
import { type Cluster, Redis, type RedisOptions } from 'ioredis';
import type { RedisBusCommonOptions } from './options.js';

/** Either kind of ioredis client. */
export type RedisClient = Redis | Cluster;

/** The command client and the subscriber/blocking client of one bus. */
export interface BusClients {
  readonly commands: RedisClient;
  readonly subscriber: RedisClient;
  /** Closes what the bus created; a client the user passed is left alone. */
  close(): void;
}

function isClient(value: unknown): value is RedisClient {
  return (
    typeof value === 'object' && value !== null && typeof (value as Redis).duplicate === 'function'
  );
}

/**
 * Creates the two connections a bus needs. A client the user passed is reused for
 * commands and duplicated for the subscriber (a subscribed or blocked connection cannot
 * run other commands). Clients we create fail commands at once while disconnected
 * (`enableOfflineQueue: false`) so that a publish during an outage rejects instead of
 * piling up, and reconnect by themselves.
 */
export function openClients(options: RedisBusCommonOptions): BusClients {
  const given = options.redis;
  if (isClient(given)) {
    // Both client kinds duplicate with their own settings; the union's signatures differ.
    const subscriber = (given as Redis).duplicate() as RedisClient;
    return { commands: given, subscriber, close: () => subscriber.disconnect() };
  }
  const base: RedisOptions = {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    // Reconnect forever, backing off to 1 s: the hub reports the outage meanwhile.
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 5), 1000),
    lazyConnect: true,
  };
  // ioredis 6's option types vary with its reply-mapping mode; the options are plain.
  const commands: Redis =
    typeof given === 'string' || given === undefined
      ? new Redis(given ?? 'redis://127.0.0.1:6379', base as never)
      : new Redis({ ...given, ...base } as never);
  const subscriber = commands.duplicate();
  return {
    commands,
    subscriber,
    close: () => {
      commands.disconnect();
      subscriber.disconnect();
    },
  };
}

/** Waits until `client` is ready, or rejects with `SSE_BUS_UNAVAILABLE` after `timeoutMs`. */
export async function whenReady(client: RedisClient, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return;
  if (client.status === 'wait') void client.connect().catch(() => undefined);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      reject(
        new SseError(
          'SSE_BUS_UNAVAILABLE',
          `Redis was not reachable within ${timeoutMs} ms (status ${client.status}).`,
        ),
      );
    }, timeoutMs);
    const onReady = (): void => {
      clearTimeout(timer);
      resolve();
    };
    client.once('ready', onReady);
  });
}

/**
 * Runs `operation` with a deadline; turns any failure into `SSE_BUS_UNAVAILABLE` naming
 * what failed. A timed-out command may still run later: the caller must not assume it did not.
 */
export async function withDeadline<T>(
  what: string,
  timeoutMs: number,
  operation: () => Promise<T>,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      operation(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new SseError(
                'SSE_BUS_UNAVAILABLE',
                `Redis did not answer ${what} within ${timeoutMs} ms.`,
              ),
            ),
          timeoutMs,
        );
      }),
    ]);
  } catch (error) {
    if (error instanceof SseError) throw error;
    throw new SseError(
      'SSE_BUS_UNAVAILABLE',
      `Redis failed ${what}: ${(error as Error)?.message ?? String(error)}`,
      {
        cause: error,
      },
    );
  } finally {
    clearTimeout(timer);
  }
}

/** A fresh random epoch: 12 hex characters. */
export function freshEpoch(): string {
  return randomBytes(6).toString('hex');
}

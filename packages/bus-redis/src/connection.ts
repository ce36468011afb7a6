import type { BusState } from '@sse/core';
import { toError, withDeadline } from '@sse/core';
import { type Cluster, Redis, type RedisOptions } from 'ioredis';
import { unavailable } from './errors.js';
import type { RedisConnectionInput } from './options.js';

/** A standalone/Sentinel client or a Cluster client. */
export type AnyRedis = Redis | Cluster;

/** The two connections a bus uses and what it owns of them. */
export interface BusConnections {
  /** Commands: publish scripts and history reads. Possibly the user's own client. */
  readonly command: AnyRedis;
  /** The subscriber (pub/sub) or blocking `XREAD` reader (streams): always the bus's own. */
  readonly side: AnyRedis;
  /** Closes what the bus created; leaves the user's client open. */
  close(): Promise<void>;
}

// Connections the bus creates fail fast while Redis is down (no offline queue, one retry),
// so a publish during an outage rejects promptly instead of replaying minutes later.
const COMMAND_DEFAULTS: RedisOptions = {
  lazyConnect: true,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  retryStrategy: (times) => Math.min(50 * times, 1000),
};

// The side connection queues while disconnected, so a blocking XREAD or SUBSCRIBE waits for
// the reconnect instead of spinning; the bus re-subscribes itself to know when it is live.
const SIDE_OVERRIDES: RedisOptions = {
  lazyConnect: true,
  enableOfflineQueue: true,
  maxRetriesPerRequest: null,
  autoResubscribe: false,
};

function isClient(input: RedisConnectionInput | undefined): input is AnyRedis {
  return (
    typeof input === 'object' && input !== null && typeof (input as Redis).duplicate === 'function'
  );
}

function isCluster(client: AnyRedis): client is Cluster {
  return (client as Cluster).isCluster === true;
}

/**
 * Opens (or adopts) the command connection and creates the side connection.
 * @param input - URL, options or the user's client.
 * @param clientOptions - extra options for connections created from a URL or options.
 */
export function openConnections(
  input: RedisConnectionInput | undefined,
  clientOptions: RedisOptions | undefined,
  defaultUrl: string,
): BusConnections {
  let command: AnyRedis;
  let owned: boolean;
  if (isClient(input)) {
    command = input;
    owned = false;
  } else {
    // The bus parses replies in ioredis' default ("legacy") shapes, so it pins that mapping.
    const options = { ...COMMAND_DEFAULTS, ...clientOptions, replyMapping: 'legacy' as const };
    command =
      typeof input === 'string' || input === undefined
        ? new Redis(input ?? defaultUrl, options)
        : new Redis({ ...options, ...input, replyMapping: 'legacy' as const });
    owned = true;
  }
  // A Cluster duplicate keeps the user's cluster options; a standalone one gets the side overrides.
  const side = isCluster(command) ? command.duplicate() : command.duplicate(SIDE_OVERRIDES);
  // Errors on connections the bus created reach the listener through watchStatus while the
  // bus runs; this listener only keeps ioredis from printing "Unhandled error event" after close.
  const ignoreAfterClose = (): void => undefined;
  side.on('error', ignoreAfterClose);
  if (owned) command.on('error', ignoreAfterClose);
  return {
    command,
    side,
    async close(): Promise<void> {
      side.disconnect();
      if (!owned) return;
      // QUIT lets in-flight publishes finish; if Redis is down it fails and we just drop the socket.
      await withDeadline(command.quit(), 1000, () => new Error('QUIT timed out')).catch(
        () => undefined,
      );
      command.disconnect();
    },
  };
}

/**
 * Resolves once `client` is ready, connecting it if it is lazy.
 * @throws SseError `SSE_BUS_UNAVAILABLE` after `timeoutMs` or when the client ended.
 */
export function waitReady(client: AnyRedis, timeoutMs: number, what: string): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  let lastError: Error | undefined;
  let cleanup = (): void => undefined;
  const ready = new Promise<void>((resolve, reject) => {
    const onReady = (): void => resolve();
    const onError = (error: unknown): void => {
      lastError = toError(error);
    };
    const onEnd = (): void => reject(lastError ?? new Error('the connection ended'));
    client.on('ready', onReady);
    client.on('error', onError);
    client.on('end', onEnd);
    cleanup = () => {
      client.off('ready', onReady);
      client.off('error', onError);
      client.off('end', onEnd);
    };
  });
  // Dropping this rejection is right: the same failure arrives as the client's 'error' event
  // (kept in lastError above) and the wait below rejects with it, or times out.
  if (client.status === 'wait') client.connect().catch(() => undefined);
  return withDeadline(
    ready,
    timeoutMs,
    () => lastError ?? new Error(`not ready after ${timeoutMs} ms`),
  )
    .catch((error: unknown) => {
      throw unavailable(`connect (${what})`, error);
    })
    .finally(() => cleanup());
}

/** Reports the combined state of several connections to a listener, on change only. */
export interface StatusWatch {
  /** True when every watched connection (and any extra condition) is ready. */
  readonly ready: boolean;
  /** Marks the side connection as (not) live, e.g. until its SUBSCRIBE is confirmed. */
  setSideLive(live: boolean): void;
  /** Resolves when ready, or rejects after `timeoutMs`. */
  whenReady(timeoutMs: number): Promise<void>;
  /** Stops watching; reports `closed`. */
  stop(): void;
}

/**
 * Watches the command and side connections. The bus is `ready` when the command connection
 * is ready and the side connection is live (subscribed / reading); otherwise `reconnecting`.
 * @param onSideReady - called when the side connection is ready again after a disconnect.
 */
export function watchStatus(
  connections: BusConnections,
  report: (state: BusState, error?: Error) => void,
  onSideReady: () => void,
): StatusWatch {
  const { command, side } = connections;
  let commandReady = command.status === 'ready';
  let sideLive = false;
  let reported: BusState | undefined;
  let lastError: Error | undefined;
  let stopped = false;
  const waiters = new Set<() => void>();

  const update = (): void => {
    if (stopped) return;
    const state: BusState = commandReady && sideLive ? 'ready' : 'reconnecting';
    if (state === 'ready') for (const wake of waiters) wake();
    if (reported === undefined && state !== 'ready') return; // still starting
    if (state === reported) return;
    reported = state;
    report(state, state === 'ready' ? undefined : lastError);
  };
  const onError = (error: unknown): void => {
    lastError = toError(error);
  };
  const commandUp = (): void => {
    commandReady = true;
    update();
  };
  const commandDown = (): void => {
    commandReady = false;
    update();
  };
  const sideUp = (): void => onSideReady();
  const sideDown = (): void => {
    sideLive = false;
    update();
  };
  command.on('error', onError);
  command.on('ready', commandUp);
  command.on('close', commandDown);
  side.on('error', onError);
  side.on('ready', sideUp);
  side.on('close', sideDown);

  return {
    get ready() {
      return commandReady && sideLive;
    },
    setSideLive(live: boolean): void {
      sideLive = live;
      update();
    },
    whenReady(timeoutMs: number): Promise<void> {
      if (commandReady && sideLive) return Promise.resolve();
      let wake = (): void => undefined;
      const ready = new Promise<void>((resolve) => {
        wake = resolve;
        waiters.add(wake);
      });
      return withDeadline(
        ready,
        timeoutMs,
        () => lastError ?? new Error(`not ready within ${timeoutMs} ms`),
      ).finally(() => waiters.delete(wake));
    },
    stop(): void {
      if (stopped) return;
      stopped = true;
      command.off('error', onError);
      command.off('ready', commandUp);
      command.off('close', commandDown);
      side.off('error', onError);
      side.off('ready', sideUp);
      side.off('close', sideDown);
      report('closed');
    },
  };
}

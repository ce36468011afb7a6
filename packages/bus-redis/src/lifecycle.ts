import { type BusListener, SseError } from '@sse/core';
import { type BusClients, openClients, whenReady } from './clients.js';
import type { RedisBusCommonOptions } from './options.js';
import { watchStatus } from './status.js';

/** The connected state of a started bus. */
export interface Started {
  readonly clients: BusClients;
  readonly listener: BusListener;
  /** Stops status reporting and closes what the bus opened. */
  stop(): void;
}

/**
 * The start/close bookkeeping both modes share: start once, connect both clients within
 * the connect timeout, report state, close idempotently.
 */
export class BusLifecycle {
  private started: Started | undefined;
  private starting = false;
  closed = false;

  constructor(private readonly options: RedisBusCommonOptions) {}

  /** The started state. @throws SseError `SSE_BUS_CLOSED` / `SSE_BUS_UNAVAILABLE` */
  get current(): Started {
    if (this.closed)
      throw new SseError(
        'SSE_BUS_CLOSED',
        `The Redis bus for channel "${this.options.channel}" was closed.`,
      );
    if (!this.started) {
      throw new SseError(
        'SSE_BUS_UNAVAILABLE',
        'The Redis bus was not started: call start() (the hub does) first.',
      );
    }
    return this.started;
  }

  async start(listener: BusListener): Promise<Started> {
    if (this.closed)
      throw new SseError('SSE_BUS_CLOSED', 'This Redis bus was closed; create a new one.');
    if (this.starting) throw new SseError('SSE_INVALID_OPTION', 'Bus.start() was already called.');
    this.starting = true;
    const clients = openClients(this.options);
    const unwatch = watchStatus(clients, listener);
    const stop = (): void => {
      unwatch();
      clients.close();
    };
    try {
      const timeout = this.options.connectTimeoutMs ?? 10_000;
      await Promise.all([
        whenReady(clients.commands, timeout),
        whenReady(clients.subscriber, timeout),
      ]);
    } catch (error) {
      stop();
      this.starting = false;
      throw error;
    }
    this.started = { clients, listener, stop };
    return this.started;
  }

  /** Idempotent; reports `closed` once. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const started = this.started;
    this.started = undefined;
    if (!started) return;
    started.stop();
    started.listener.status?.('closed');
  }
}

import type { EventEmitter } from 'node:events';
import type { Bus } from '../bus/bus.js';
import { Admission } from './admission.js';
import { BusFeed } from './bus-feed.js';
import { CatchUp } from './catch-up.js';
import { ClusterControl } from './cluster-control.js';
import { createConnectionOwner } from './connection-owner.js';
import { Delivery } from './delivery.js';
import { GracefulShutdown } from './graceful-shutdown.js';
import { Heartbeat } from './heartbeat.js';
import type { HubOptions, ResolvedHubOptions } from './hub-options.js';
import { HubReporter } from './hub-reporter.js';
import { HubCounters } from './hub-stats.js';
import { type IdempotencyLedger, ledgerFor } from './idempotency-ledger.js';
import { LocalControl } from './local-control.js';
import { Presence } from './presence.js';
import { Publisher } from './publisher.js';
import { Receipts } from './receipts.js';
import { Registry } from './registry.js';
import { ReplayWindow } from './replay-window.js';
import { StreamOpener } from './stream-opener.js';

/** Every part of one hub; each owns its state, and they know each other only as given here. */
export interface HubParts {
  readonly registry: Registry;
  readonly window: ReplayWindow;
  readonly ledger: IdempotencyLedger;
  readonly counters: HubCounters;
  readonly reporter: HubReporter;
  readonly admission: Admission;
  readonly delivery: Delivery;
  readonly catchUp: CatchUp;
  readonly local: LocalControl;
  readonly presence: Presence | undefined;
  readonly feed: BusFeed;
  readonly receipts: Receipts;
  readonly heartbeat: Heartbeat;
  readonly publisher: Publisher;
  readonly control: ClusterControl;
  readonly graceful: GracefulShutdown;
  readonly opener: StreamOpener;
}

/** What the wiring needs of the hub itself. */
export interface HubIdentity {
  /** Where events go (the hub). */
  readonly emitter: EventEmitter;
  readonly bus: Bus;
  readonly instanceId: string;
  /** Starts the bus once and waits for it (the hub's `ready()`). */
  readonly ready: () => Promise<void>;
}

/**
 * Builds and wires the parts of a hub: which part is given which others. The one place to
 * read to see who talks to whom.
 */
export function assembleHub(
  hub: HubIdentity,
  options: HubOptions,
  resolved: ResolvedHubOptions,
): HubParts {
  const { bus } = hub;
  const reporter = new HubReporter(hub.emitter);
  const presence = options.presence
    ? new Presence(
        {
          instanceId: hub.instanceId,
          publish: (payload) => bus.publish(payload),
          reporter,
          changed: (change) => reporter.notify('presence', change),
        },
        options.presence === true ? {} : options.presence,
      )
    : undefined;
  const registry = new Registry(presence);
  const delivery = new Delivery(registry, resolved);
  const common = {
    bus,
    window: new ReplayWindow(resolved.replay),
    registry,
    delivery,
    counters: new HubCounters(),
    reporter,
    ledger: ledgerFor(bus, resolved.idempotency),
  };
  const catchUp = new CatchUp({ ...common, replay: resolved.replay });
  const local = new LocalControl({ ...common, catchUp });
  const receipts = new Receipts();
  const feed = new BusFeed({ ...common, catchUp, receipts, control: local, presence });
  const publisher = new Publisher({ ...common, receipts }, resolved);
  const admission = new Admission(resolved, options);
  const graceful = new GracefulShutdown();
  const owner = createConnectionOwner({
    ...common,
    limits: resolved,
    admission,
    catchUp,
    graceful,
  });
  return {
    ...common,
    admission,
    catchUp,
    local,
    presence,
    feed,
    receipts,
    heartbeat: new Heartbeat(registry, delivery, resolved),
    publisher,
    control: new ClusterControl({
      publisher,
      ready: hub.ready,
      authorizeJoin: options.authorizeJoin,
      guarded: options.authorize !== undefined,
    }),
    graceful,
    opener: new StreamOpener({
      owner,
      registry,
      admission,
      retryMs: resolved.retryMs,
      keepAliveMs: resolved.keepAliveMs,
      extraHeaders: options.headers,
    }),
  };
}

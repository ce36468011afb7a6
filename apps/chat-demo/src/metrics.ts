import type { Hub } from '@sse/core';
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';

/**
 * A Prometheus registry fed from `hub.stats()` at scrape time (collect callbacks), plus
 * the default process metrics. With WORKERS > 1 each worker answers for itself.
 * @param hub - the hub to read.
 * @returns the registry; serve `await registry.metrics()` with `registry.contentType`.
 */
export function createMetrics(hub: Hub): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ instance_id: hub.instanceId });
  collectDefaultMetrics({ register: registry });
  const stats = (): ReturnType<Hub['stats']> => hub.stats();

  const gauge = (
    name: string,
    help: string,
    read: (s: ReturnType<Hub['stats']>) => number,
  ): void => {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read(stats()));
      },
    });
  };
  const counter = (
    name: string,
    help: string,
    read: (s: ReturnType<Hub['stats']>) => number,
  ): void => {
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        // Counters are totals kept by the hub: mirror them.
        this.reset();
        this.inc(read(stats()));
      },
    });
  };
  const labelled = (
    name: string,
    help: string,
    read: (s: ReturnType<Hub['stats']>) => Readonly<Record<string, number>>,
  ): void => {
    new Counter({
      name,
      help,
      labelNames: ['reason'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [reason, value] of Object.entries(read(stats()))) this.inc({ reason }, value);
      },
    });
  };

  gauge('sse_connections', 'Open SSE streams on this instance.', (s) => s.connections);
  gauge('sse_users', 'Distinct users with an open stream on this instance.', (s) => s.users);
  gauge('sse_rooms', 'Non-empty rooms on this instance.', (s) => s.rooms);
  gauge(
    'sse_replay_window_entries',
    'Entries in the replay window.',
    (s) => s.replay.windowEntries,
  );
  gauge('sse_replay_window_bytes', 'Bytes in the replay window.', (s) => s.replay.windowBytes);
  gauge(
    'sse_queue_high_water_items',
    'Largest queue any stream reached.',
    (s) => s.queueHighWater.items,
  );
  gauge('sse_bus_up', '1 when the bus is ready, else 0.', (s) => (s.bus.state === 'ready' ? 1 : 0));
  counter('sse_published_total', 'Messages accepted by the bus.', (s) => s.published);
  counter('sse_publish_errors_total', 'Publishes that failed.', (s) => s.publishErrors);
  counter('sse_messages_in_total', 'Entries received from the bus.', (s) => s.messagesIn);
  counter('sse_deliveries_total', 'Frames written to streams.', (s) => s.deliveries);
  counter('sse_bytes_out_total', 'Bytes written to streams.', (s) => s.bytesOut);
  counter('sse_replay_hits_total', 'Reconnects served from replay.', (s) => s.replay.hits);
  counter('sse_replayed_frames_total', 'Frames replayed.', (s) => s.replay.replayedFrames);
  counter(
    'sse_history_reads_total',
    'History pages read from the bus.',
    (s) => s.replay.historyReads,
  );
  counter('sse_resets_total', 'Reset events sent.', (s) => s.replay.resets);
  counter('sse_bus_outages_total', 'Times the bus left ready.', (s) => s.bus.outages);
  counter('sse_bus_gaps_total', 'Possible losses reported by the bus.', (s) => s.bus.gaps);
  labelled('sse_drops_total', 'Frames dropped by the queue policy.', (s) => s.drops);
  labelled('sse_disconnects_total', 'Streams ended, by reason.', (s) => s.disconnects);
  return registry;
}

// The results object that `run.mjs` produces and `write-report.mjs` turns into
// docs/benchmarks.md. Every figure writes its part; a figure that was not run leaves its key
// undefined (or an empty array). A row whose measurement failed carries `error` (a message)
// and may lack its numbers. Types only, plus the names every figure shares.

/** Fan-out systems (figures 1 and 6), in table and legend order. */
export const FANOUT_SYSTEMS = [
  'floor-frame',
  'floor-coalesced',
  'sse-core',
  'sse-core-window',
  'better-sse',
  'express-sse',
  'socket.io',
];

/** Buses of figure 3, in table order. */
export const BUS_NAMES = ['in-process', 'redis-pubsub', 'redis-streams', 'nats', 'kafka'];

/**
 * @typedef {object} BenchMeta
 * @property {string} date ISO 8601 time the run started.
 * @property {string} node `process.version`.
 * @property {number} cpus Logical CPUs.
 * @property {string} cpuModel
 * @property {number} totalMemGiB
 * @property {string} command The command line that produced these results.
 * @property {number} rounds Alternating rounds per measurement (medians are over these).
 * @property {boolean} smoke Smoke sizes: numbers only prove the harness runs.
 */

/**
 * @typedef {'floor-frame'|'floor-coalesced'|'sse-core'|'sse-core-window'|'better-sse'|'express-sse'|'socket.io'} FanoutSystem
 * `floor-frame`: per-frame node:http loop; `floor-coalesced`: one write per socket per burst;
 * `sse-core-window`: @sse/core with `flushWindowMs: 5`.
 */

/**
 * Figure 1: one row per system × n × mode × size, the median over rounds.
 * @typedef {object} FanoutRow
 * @property {FanoutSystem} system
 * @property {number} n Connections.
 * @property {'burst'|'tick'} mode `burst`: `count` messages at once; `tick`: one per event-loop tick.
 * @property {number} size Payload bytes.
 * @property {number} count Messages per measurement.
 * @property {number} [deliveriesPerSec] Frames received by all clients per second.
 * @property {number} [p50Ms] Publish→receive latency.
 * @property {number} [p99Ms]
 * @property {number[]} [rounds] deliveriesPerSec of every round, in run order.
 * @property {string} [error]
 */

/**
 * Figure 2: memory per idle connection.
 * @typedef {object} MemoryRow
 * @property {FanoutSystem} system
 * @property {number} n
 * @property {number} [baselineRssMiB] Server RSS before any connection.
 * @property {number} [idleRssMiB] Server RSS with n idle connections.
 * @property {number} [kibPerConnection]
 * @property {number} [afterBurstRssMiB] Server RSS after a burst to the n connections.
 * @property {string} [error]
 */

/**
 * Figure 3: cross-instance bus latency (publisher and receiver in two processes, except
 * `in-process`, which has one member and is measured in one process: see `note`).
 * @typedef {object} BusRow
 * @property {'in-process'|'redis-pubsub'|'redis-streams'|'nats'|'kafka'} bus
 * @property {number} rateMsgPerSec Publish rate of the latency phase (1,000).
 * @property {number} [p50Ms] Publish→receive latency.
 * @property {number} [p99Ms]
 * @property {number} [maxMs]
 * @property {number} [samples] Latency samples received.
 * @property {number} [maxPublishedPerSec] Accepted publishes per second, 256 in flight.
 * @property {number} [maxReceivedPerSec] Arrivals per second at the receiver meanwhile.
 * @property {string} [note]
 * @property {string} [error]
 */

/**
 * Figure 4: reconnect storm.
 * @typedef {object} ReconnectResult
 * @property {number} n Clients reconnecting at once.
 * @property {number} behind Messages each missed.
 * @property {number} size Payload bytes.
 * @property {number} [completeMs] Until every client received everything it missed.
 * @property {number} [p50Ms] Per-client reconnect→caught-up time.
 * @property {number} [p99Ms]
 * @property {number} [serverCpuMs]
 * @property {number} [rssBeforeMiB]
 * @property {number} [rssPeakMiB]
 * @property {number} [replayedFrames]
 * @property {number} [resets]
 * @property {string} [error]
 */

/**
 * Figure 5: slow consumers.
 * @typedef {object} SlowResult
 * @property {number} n
 * @property {number} slowFraction Share of clients that do not read (0..1).
 * @property {number} size
 * @property {number} durationMs
 * @property {number} [fastDeliveriesPerSec] To the fast clients, with slow ones present.
 * @property {number} [baselineDeliveriesPerSec] The same fast clients, no slow ones.
 * @property {number} [ratio] fast / baseline.
 * @property {number} [rssBeforeMiB]
 * @property {number} [rssPeakMiB]
 * @property {number} [rssBoundMiB] RSS the configured queue bounds allow.
 * @property {number} [drops]
 * @property {number} [disconnects]
 * @property {string} [error]
 */

/**
 * Figure 6: growth with the number of connections.
 * @typedef {object} GrowthRow
 * @property {FanoutSystem} system
 * @property {number} n
 * @property {number} [deliveriesPerSec]
 * @property {number} [kibPerConnection]
 * @property {number} [afterBurstRssMiB]
 * @property {string} [error]
 */

/**
 * @typedef {object} BenchResults
 * @property {BenchMeta} meta
 * @property {FanoutRow[]} [fanout]
 * @property {MemoryRow[]} [memory]
 * @property {BusRow[]} [buses]
 * @property {ReconnectResult} [reconnect]
 * @property {SlowResult} [slow]
 * @property {GrowthRow[]} [growth]
 */

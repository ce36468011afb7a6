// Figure 3 on its own: cross-instance latency and throughput of each bus (see
// figures/buses.mjs for the method), printed one line per bus.
//   node src/bus-latency.mjs [--smoke] [--json] [in-process redis-pubsub redis-streams nats kafka]
// (after `pnpm build`). REDIS_URL / NATS_URL / KAFKA_BROKERS point elsewhere; without
// KAFKA_BROKERS a private broker is started (@sse/brokers). When redis-streams runs (not in smoke
// mode), it also prints the memory of a stream filled to the default retention.
import { measureStreamRetention, runBuses } from './figures/buses.mjs';

const args = process.argv.slice(2);
const smoke = args.includes('--smoke');
const json = args.includes('--json');
const kinds = args.filter((a) => !a.startsWith('--'));

const ms = (value) => (Number.isFinite(value) ? value.toFixed(3) : 'n/a');
const rows = await runBuses({
  kinds,
  smoke,
  log: (line) => console.error(`  ${line}`),
});
if (json) console.log(JSON.stringify(rows, null, 2));
else
  for (const row of rows) {
    if (row.error) {
      console.log(`${row.bus.padEnd(14)} error: ${row.error}`);
      continue;
    }
    console.log(
      `${row.bus.padEnd(14)} latency at ${row.rateMsgPerSec.toLocaleString('en-US')} msg/s: p50 ${ms(row.p50Ms)} ms, p99 ${ms(row.p99Ms)} ms, max ${ms(row.maxMs)} ms (${row.samples} samples); ` +
        `max ${row.maxPublishedPerSec} msg/s published, ${row.maxReceivedPerSec} msg/s received` +
        (row.note ? `\n${''.padEnd(15)}note: ${row.note}` : ''),
    );
  }

if (!smoke && rows.some((row) => row.bus === 'redis-streams' && !row.error)) {
  const { entries, bytes, bytesPerEntry } = await measureStreamRetention();
  console.log(
    `redis-streams retained ${entries} entries of 200 B: ${(bytes / 1024 / 1024).toFixed(2)} MiB (${bytesPerEntry} B/entry)`,
  );
}
if (rows.some((row) => row.error)) process.exitCode = 1;

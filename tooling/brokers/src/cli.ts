// Starts a private broker by hand, prints its address and keeps it until Ctrl+C:
//   pnpm --filter @sse/brokers broker redis|nats|kafka|postgres
//   pnpm --filter @sse/brokers broker kafka fetch     fetch the Kafka jars only (idempotent)
import {
  fetchKafka,
  type PrivateBroker,
  startPrivateKafka,
  startPrivateNats,
  startPrivatePostgres,
  startPrivateRedis,
} from './index.js';

const launchers: Record<string, () => Promise<PrivateBroker & { url?: string; brokers?: string }>> =
  {
    redis: startPrivateRedis,
    nats: startPrivateNats,
    kafka: startPrivateKafka,
    postgres: startPrivatePostgres,
  };

const [kind = '', command = 'start'] = process.argv.slice(2);
const launch = launchers[kind];
if (!launch || (command !== 'start' && !(kind === 'kafka' && command === 'fetch'))) {
  console.error('usage: broker redis|nats|kafka|postgres [start] | broker kafka fetch');
  process.exit(2);
}
if (command === 'fetch') {
  console.log(`Kafka broker jars in ${await fetchKafka()}`);
} else {
  const broker = await launch();
  console.log(
    `${broker.name} on ${broker.url ?? broker.brokers} (pid ${broker.pid}, data in ${broker.dir}), ready in ${broker.lastStartMs} ms; Ctrl+C stops it`,
  );
  const stop = async (): Promise<void> => {
    await broker.dispose();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

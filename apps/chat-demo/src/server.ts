/**
 * Entry point: `node dist/server.js`. One process by default; `WORKERS=N` forks N workers
 * on one port with node:cluster (needs a shared bus: BUS=redis|nats|kafka).
 * @module
 */
import cluster from 'node:cluster';
import { type ChatServer, startChatServer } from './app.js';
import { type ChatConfig, readConfig } from './config.js';

function fail(message: string): never {
  console.error(`chat-demo: ${message}`);
  process.exit(1);
}

let config: ChatConfig;
try {
  config = readConfig();
} catch (error) {
  fail((error as Error).message);
}

if (config.workers > 1 && cluster.isPrimary) {
  if (config.bus === 'memory') {
    fail(
      `WORKERS=${config.workers} with BUS=memory would give every worker its own private bus: a message posted to one worker would never reach streams on another. Use BUS=redis (or nats, kafka), or WORKERS=1.`,
    );
  }
  if (config.sessionSecretGenerated) {
    console.warn(
      'chat-demo: SESSION_SECRET is not set; using a random one for this start (sessions end on restart).',
    );
  }
  // Workers must share the session secret, or a cookie from one would fail on another.
  const env = { SESSION_SECRET: config.sessionSecret };
  let stopping = false;
  for (let i = 0; i < config.workers; i++)
    cluster.fork({ ...env, INSTANCE_ID: `${config.instanceId}-w${i + 1}` });
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    console.error(
      `chat-demo: worker ${worker.process.pid} exited (${signal ?? code}); starting another`,
    );
    cluster.fork({ ...env, INSTANCE_ID: `${config.instanceId}-w${worker.id}-r` });
  });
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} else {
  const worker = cluster.isWorker ? ` worker ${process.pid}` : '';
  if (config.sessionSecretGenerated && !cluster.isWorker) {
    console.warn(
      'chat-demo: SESSION_SECRET is not set; using a random one for this start (sessions end on restart; instances will not share sessions).',
    );
  }
  let server: ChatServer;
  try {
    server = await startChatServer(config);
  } catch (error) {
    fail((error as Error).message);
  }
  console.log(
    `chat-demo${worker} (instance ${server.hub.instanceId}, BUS=${config.bus}) on ${server.url}`,
  );
  const stop = (signal: string): void => {
    console.log(`chat-demo${worker}: ${signal}, shutting down`);
    setTimeout(() => process.exit(1), 10_000).unref();
    server.close().then(
      () => process.exit(0),
      (error: unknown) => fail(`shutdown failed: ${(error as Error).message}`),
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

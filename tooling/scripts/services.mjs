// Makes sure the local services the integration tests talk to are up: Redis on 6379 and
// NATS with JetStream on 4222 (started from the machine's own binaries if they are down),
// and Debian's Chromium for the browser tests. Kafka is started by @sse/bus-kafka's test
// setup itself (startPrivateKafka from @sse/brokers), so nothing is needed for it here.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { isListening, log, run } from './lib.mjs';

const which = (bin) =>
  spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' }).stdout.trim();

async function waitListening(port, what, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await isListening(port)) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not start listening on 127.0.0.1:${port} within ${ms} ms`);
}

export async function ensureRedis() {
  if (process.env.REDIS_URL || (await isListening(6379))) return;
  const bin = which('redis-server');
  if (!bin)
    throw new Error(
      'Redis is not running on 127.0.0.1:6379 and redis-server is not installed (apt-get install redis-server).',
    );
  log('starting redis-server on 127.0.0.1:6379');
  mkdirSync('/tmp/sse-redis', { recursive: true });
  await run(bin, [
    '--daemonize',
    'yes',
    '--bind',
    '127.0.0.1',
    '--port',
    '6379',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    '/tmp/sse-redis',
  ]);
  await waitListening(6379, 'redis-server');
}

export async function ensureNats() {
  if (process.env.NATS_URL || (await isListening(4222))) return;
  const bin =
    which('nats-server') || (existsSync('/usr/sbin/nats-server') ? '/usr/sbin/nats-server' : '');
  if (!bin)
    throw new Error(
      'NATS is not running on 127.0.0.1:4222 and nats-server is not installed (apt-get install nats-server).',
    );
  log('starting nats-server with JetStream on 127.0.0.1:4222');
  mkdirSync('/tmp/sse-nats', { recursive: true });
  const { spawn } = await import('node:child_process');
  spawn(bin, ['-a', '127.0.0.1', '-p', '4222', '-js', '-sd', '/tmp/sse-nats'], {
    detached: true,
    stdio: 'ignore',
  }).unref();
  await waitListening(4222, 'nats-server');
}

export async function ensureChromium() {
  if (existsSync('/usr/bin/chromium')) return;
  if (process.getuid?.() !== 0) {
    throw new Error(
      'Browser tests need Debian Chromium at /usr/bin/chromium: run `sudo apt-get install -y chromium`.',
    );
  }
  log('installing Debian chromium for the browser tests (apt-get)');
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  await run('apt-get', ['update', '-qq'], { env });
  const code = await run('apt-get', ['install', '-y', '-qq', 'chromium'], { env });
  if (code !== 0 || !existsSync('/usr/bin/chromium'))
    throw new Error('apt-get install chromium failed');
}

export async function ensureServices() {
  await ensureRedis();
  await ensureNats();
  await ensureChromium();
}

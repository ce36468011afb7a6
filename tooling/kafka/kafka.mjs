// A real Apache Kafka broker for tests, without Docker: the broker jars come from Maven
// Central (pom.xml → .cache/libs, fetched once), and this script formats a single-node KRaft
// store (broker and controller in one process) and runs it on 127.0.0.1.
//
//   node tooling/kafka/kafka.mjs fetch      fetch the jars (idempotent)
//   node tooling/kafka/kafka.mjs start      start a broker, print its address, stop on Ctrl+C
//
// From code: `const kafka = await startKafka(); … await kafka.restart(); … await kafka.stop();`
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const LIBS = path.join(HERE, '.cache', 'libs');
const COMPLETE = path.join(LIBS, '.complete');

/** Fetches the broker jars with Maven unless a complete copy is cached. */
export function fetchKafka() {
  if (existsSync(COMPLETE)) return LIBS;
  const started = Date.now();
  const result = spawnSync('mvn', ['-q', '-B', '-f', path.join(HERE, 'pom.xml'), 'package'], {
    stdio: 'inherit',
  });
  if (result.status !== 0)
    throw new Error(
      `mvn failed (exit ${result.status}) fetching the Kafka broker from Maven Central`,
    );
  if (!readdirSync(LIBS).some((f) => f.startsWith('kafka_2.13-')))
    throw new Error('mvn ran but no kafka_2.13 jar arrived');
  writeFileSync(COMPLETE, `fetched in ${Date.now() - started} ms\n`);
  return LIBS;
}

async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function properties({ port, controllerPort, dataDir }) {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${dataDir}`,
    'num.partitions=1',
    // One node: every replication factor and ISR must be 1, or the group coordinator never starts.
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'default.replication.factor=1',
    'min.insync.replicas=1',
    'group.initial.rebalance.delay.ms=0',
    // Room for 1 MiB payloads plus envelope (the default limit is just under 1 MiB).
    'message.max.bytes=8388608',
    'replica.fetch.max.bytes=8388608',
    '',
  ].join('\n');
}

/**
 * Formats a fresh KRaft store and starts a broker on free ports. Resolves once the broker
 * logged that it started. `restart()` stops it and starts it again on the same ports and data.
 * @param {{ startTimeoutMs?: number }} [options]
 */
export async function startKafka(options = {}) {
  const libs = fetchKafka();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sse-kafka-'));
  const dataDir = path.join(dir, 'data');
  mkdirSync(dataDir);
  const port = await freePort();
  const controllerPort = await freePort();
  const config = path.join(dir, 'server.properties');
  writeFileSync(config, properties({ port, controllerPort, dataDir }));
  const log4j = path.join(dir, 'log4j.properties');
  writeFileSync(
    log4j,
    [
      'log4j.rootLogger=WARN, stdout',
      'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
      'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
      'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
      'log4j.logger.kafka.server.KafkaRaftServer=INFO',
      '',
    ].join('\n'),
  );
  const classpath = `${libs}/*`;
  const jvm = ['-Xmx512m', '-Xms256m', `-Dlog4j.configuration=file:${log4j}`, '-cp', classpath];
  // The cluster id is 16 random bytes in unpadded base64url; it changes on every format.
  // An id starting with '-' would be read as an option by the formatter: draw again.
  let clusterId = randomBytes(16).toString('base64url');
  while (clusterId.startsWith('-')) clusterId = randomBytes(16).toString('base64url');
  const format = spawnSync(
    'java',
    [
      ...jvm,
      'kafka.tools.StorageTool',
      'format',
      '-t',
      clusterId,
      '-c',
      config,
      '--ignore-formatted',
    ],
    {
      encoding: 'utf8',
    },
  );
  if (format.status !== 0)
    throw new Error(`Kafka storage format failed: ${format.stderr || format.stdout}`);

  let child;
  let output = '';
  const launch = async () => {
    const started = Date.now();
    child = spawn('java', [...jvm, 'kafka.Kafka', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    output = '';
    const collect = (chunk) => {
      output = (output + chunk).slice(-20_000);
    };
    child.stdout.setEncoding('utf8').on('data', collect);
    child.stderr.setEncoding('utf8').on('data', collect);
    const timeoutMs = options.startTimeoutMs ?? 90_000;
    await new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`Kafka did not start within ${timeoutMs} ms:\n${output.slice(-3000)}`)),
        timeoutMs,
      );
      const check = () => {
        if (output.includes('Kafka Server started')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout.on('data', check);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`Kafka exited with code ${code} while starting:\n${output.slice(-3000)}`));
      });
    });
    return Date.now() - started;
  };
  const stopChild = async (signal = 'SIGTERM') => {
    const current = child;
    child = undefined;
    if (!current || current.exitCode !== null) return;
    const exited = new Promise((resolve) => current.once('exit', resolve));
    current.kill(signal);
    const timer = setTimeout(() => current.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };

  const startMs = await launch();
  return {
    brokers: `127.0.0.1:${port}`,
    clusterId,
    startMs,
    /** Stops the broker by PID (SIGTERM, SIGKILL after 15 s). Data stays. */
    stop: () => stopChild(),
    /** Kills the broker (SIGKILL): no clean shutdown. */
    kill: () => stopChild('SIGKILL'),
    /** Starts it again on the same ports and data. */
    start: () => launch(),
    /** Stops it and deletes its data. */
    async dispose() {
      await stopChild();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const command = process.argv[2];
  if (command === 'fetch') {
    console.log(`Kafka broker jars in ${fetchKafka()}`);
  } else if (command === 'start') {
    const kafka = await startKafka();
    console.log(
      `Kafka ${kafka.brokers} (cluster ${kafka.clusterId}) started in ${kafka.startMs} ms; Ctrl+C stops it`,
    );
    const stop = async () => {
      await kafka.dispose();
      process.exit(0);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  } else {
    console.error('usage: node tooling/kafka/kafka.mjs fetch|start');
    process.exit(2);
  }
}

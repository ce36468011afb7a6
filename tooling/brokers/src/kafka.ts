// A real Apache Kafka broker without Docker: the broker jars come from Maven Central
// (kafka/pom.xml → kafka/.cache/libs, fetched once and git-ignored); each broker formats a
// single-node KRaft store (broker and controller in one process) in its own temp dir.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BrokerProcess } from './broker-process.js';
import { freePort } from './free-port.js';
import {
  brokerHandle,
  launchOnFreePorts,
  makeTempDir,
  type PrivateBroker,
} from './private-broker.js';
import { runToEnd } from './run-to-end.js';

// dist/index.mjs and src/kafka.ts are both one level below the package root.
const KAFKA_DIR = fileURLToPath(new URL('../kafka/', import.meta.url));
const LIBS = path.join(KAFKA_DIR, '.cache', 'libs');
const COMPLETE = path.join(LIBS, '.complete');

/** Options for {@link startPrivateKafka}. */
export interface PrivateKafkaOptions {
  /** How long a (re)start may take until the broker logs that it started. @default 90000 */
  readonly startTimeoutMs?: number;
}

/** A private single-node KRaft Kafka; see {@link startPrivateKafka}. */
export interface PrivateKafka extends PrivateBroker {
  /** `127.0.0.1:<port>`, for KafkaJS's `brokers`. */
  readonly brokers: string;
  /** The KRaft cluster id: new for every broker (every format), the same across restarts. */
  readonly clusterId: string;
}

/**
 * Fetches the broker jars with Maven (`mvn` on PATH) unless a complete copy is cached.
 *
 * @returns The folder that holds them.
 * @throws Error with Maven's output when the fetch fails.
 */
export async function fetchKafka(): Promise<string> {
  if (existsSync(COMPLETE)) return LIBS;
  const started = Date.now();
  await runToEnd('mvn', 'mvn', ['-q', '-B', '-f', path.join(KAFKA_DIR, 'pom.xml'), 'package'], {
    installHint: 'apt-get install maven (and a JDK 17+)',
    timeoutMs: 15 * 60_000,
  });
  if (!readdirSync(LIBS).some((f) => f.startsWith('kafka_2.13-')))
    throw new Error('mvn ran but no kafka_2.13 jar arrived in tooling/brokers/kafka/.cache/libs');
  writeFileSync(COMPLETE, `fetched in ${Date.now() - started} ms\n`);
  return LIBS;
}

function serverProperties(port: number, controllerPort: number, dataDir: string): string {
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

const LOG4J = [
  'log4j.rootLogger=WARN, stdout',
  'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
  'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
  'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
  // The one INFO line the launcher waits for.
  'log4j.logger.kafka.server.KafkaRaftServer=INFO',
  '',
].join('\n');

/** 16 random bytes in unpadded base64url, as Kafka's own tool makes them. */
function newClusterId(): string {
  // An id starting with '-' would be read as an option by the formatter: draw again.
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/**
 * Starts a Kafka 3.9 broker of the caller's own (KRaft, broker and controller in one JVM,
 * `-Xmx512m`) on 127.0.0.1 and two free ports, fetching the jars first when they are not
 * cached. Its storage is formatted anew, so its {@link PrivateKafka.clusterId} (the Kafka
 * bus's epoch) is new; restarts keep the data. A clean `stop()` sends SIGTERM (SIGKILL after
 * 15 s).
 *
 * @returns The running broker; `dispose()` it in `afterAll`.
 * @throws Error with the broker's output when the format fails or the broker does not
 *   start within `startTimeoutMs`.
 * @example
 * ```ts
 * const kafka = await startPrivateKafka();
 * const bus = createKafkaBus({ channel: 'c', brokers: kafka.brokers });
 * await kafka.restart();
 * ```
 */
export async function startPrivateKafka(options: PrivateKafkaOptions = {}): Promise<PrivateKafka> {
  const libs = await fetchKafka();
  return launchOnFreePorts(async () => {
    const port = await freePort();
    const controllerPort = await freePort();
    const temp = makeTempDir('kafka');
    const dataDir = path.join(temp.dir, 'data');
    mkdirSync(dataDir);
    const config = path.join(temp.dir, 'server.properties');
    writeFileSync(config, serverProperties(port, controllerPort, dataDir));
    const log4j = path.join(temp.dir, 'log4j.properties');
    writeFileSync(log4j, LOG4J);
    const jvm = ['-Xmx512m', '-Xms256m', `-Dlog4j.configuration=file:${log4j}`, '-cp', `${libs}/*`];
    const clusterId = newClusterId();
    const javaHint = 'install a JDK 17+ (apt-get install openjdk-17-jre-headless)';
    try {
      await runToEnd(
        'Kafka storage format',
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
        { installHint: javaHint, timeoutMs: 60_000 },
      );
    } catch (error) {
      temp.remove();
      throw error;
    }
    const server = new BrokerProcess({
      name: 'kafka',
      command: 'java',
      args: [...jvm, 'kafka.Kafka', config],
      readyLine: /Kafka Server started/,
      startTimeoutMs: options.startTimeoutMs ?? 90_000,
      stopSignal: 'SIGTERM',
      stopGraceMs: 15_000,
      installHint: javaHint,
    });
    return Object.assign(brokerHandle(port, temp, server), {
      brokers: `127.0.0.1:${port}`,
      clusterId,
    });
  });
}

import { type Bus, createMemoryBus } from '@sse/core';
import type { ChatConfig } from './config.js';

// Each broker bus is an optional package: it is imported only when BUS selects it, so the
// demo runs (BUS=memory) without any broker driver installed.
const PACKAGES = {
  redis: { name: '@sse/bus-redis', factory: 'createRedisBus', driver: 'ioredis' },
  nats: {
    name: '@sse/bus-nats',
    factory: 'createNatsBus',
    driver: '@nats-io/transport-node @nats-io/jetstream',
  },
  kafka: { name: '@sse/bus-kafka', factory: 'createKafkaBus', driver: 'kafkajs' },
} as const;

/**
 * Creates the bus that `config.bus` names.
 * @param config - the server configuration.
 * @param importer - module loader (tests inject a failing one).
 * @returns the bus, not started yet (the hub starts it).
 * @throws Error saying which package to install when the bus package is missing.
 */
export async function loadBus(
  config: ChatConfig,
  importer: (name: string) => Promise<Record<string, unknown>> = (name) => import(name),
): Promise<Bus> {
  if (config.bus === 'memory') return createMemoryBus();
  const spec = PACKAGES[config.bus];
  let module: Record<string, unknown>;
  try {
    module = await importer(spec.name);
  } catch (error) {
    throw new Error(
      `BUS=${config.bus} needs the package ${spec.name} (and its driver ${spec.driver}), which could not be loaded: ${(error as Error).message}. Install it (pnpm add ${spec.name} ${spec.driver}) or run with BUS=memory.`,
      { cause: error },
    );
  }
  const factory = module[spec.factory];
  if (typeof factory !== 'function') {
    throw new Error(
      `${spec.name} does not export ${spec.factory}(); this demo expects that factory. Check the installed version.`,
    );
  }
  const create = factory as (options: Record<string, unknown>) => Bus;
  switch (config.bus) {
    case 'redis':
      return create({ redis: config.redisUrl, channel: config.channel });
    case 'nats':
      return create({ nats: config.natsUrl, channel: config.channel });
    case 'kafka':
      return create({
        brokers: config.kafkaBrokers,
        channel: config.channel,
        topic: config.channel,
      });
  }
}

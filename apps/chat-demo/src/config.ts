import { randomBytes } from 'node:crypto';

/** Which bus carries messages between instances. */
export type BusKind = 'memory' | 'redis' | 'nats' | 'kafka';

/** Everything the server reads from the environment, with defaults applied. */
export interface ChatConfig {
  readonly port: number;
  readonly host: string;
  readonly bus: BusKind;
  readonly redisUrl: string;
  readonly natsUrl: string;
  readonly kafkaBrokers: readonly string[];
  readonly instanceId: string;
  readonly sessionSecret: string;
  /** True when SESSION_SECRET was not set and a random one was made for this start. */
  readonly sessionSecretGenerated: boolean;
  readonly workers: number;
  /** Mark the session cookie `Secure` (serve over HTTPS, or behind a TLS proxy). */
  readonly cookieSecure: boolean;
  /** Bus channel / stream / topic name, so several demos can share one broker. */
  readonly channel: string;
}

const BUS_KINDS: readonly BusKind[] = ['memory', 'redis', 'nats', 'kafka'];

/**
 * Reads the configuration from `env`.
 * @param env - usually `process.env`.
 * @returns the checked configuration.
 * @throws Error naming the variable, the value and what is accepted.
 */
export function readConfig(env: NodeJS.ProcessEnv = process.env): ChatConfig {
  const bus = (env.BUS ?? 'memory').toLowerCase() as BusKind;
  if (!BUS_KINDS.includes(bus)) {
    throw new Error(`BUS must be one of ${BUS_KINDS.join(', ')}; got ${JSON.stringify(env.BUS)}.`);
  }
  const port = integer('PORT', env.PORT, 3000, 0, 65535);
  const workers = integer('WORKERS', env.WORKERS, 1, 1, 64);
  const secret = env.SESSION_SECRET;
  return {
    port,
    host: env.HOST || '127.0.0.1',
    bus,
    redisUrl: env.REDIS_URL || 'redis://127.0.0.1:6379',
    natsUrl: env.NATS_URL || 'nats://127.0.0.1:4222',
    kafkaBrokers: (env.KAFKA_BROKERS || '127.0.0.1:9092').split(',').map((s) => s.trim()),
    instanceId: env.INSTANCE_ID || `${process.pid}`,
    sessionSecret: secret || randomBytes(32).toString('hex'),
    sessionSecretGenerated: !secret,
    workers,
    cookieSecure: env.COOKIE_SECURE === '1' || env.COOKIE_SECURE === 'true',
    channel: env.CHAT_CHANNEL || 'chat-demo',
  };
}

function integer(
  name: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(
      `${name} must be an integer from ${min} to ${max}; got ${JSON.stringify(raw)}.`,
    );
  }
  return value;
}

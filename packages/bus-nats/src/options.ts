import type { NatsConnection } from '@nats-io/transport-node';
import { SseError } from '@sse/core';

/** Options for {@link createNatsBus}. */
export interface NatsBusOptions {
  /** Namespace of this log: one JetStream stream per channel. Letters, digits, `_` and `-`. */
  readonly channel: string;
  /**
   * How to reach NATS: a server URL (or several, comma-separated), or your own connected
   * `NatsConnection` (never closed by the bus). @default '127.0.0.1:4222'
   */
  readonly nats?: string | NatsConnection;
  /** Stream name prefix; the stream is `<prefix><channel>`. @default 'SSE_' */
  readonly streamPrefix?: string;
  /** Subject prefix; entries are published on `<prefix>.<stream name>`. @default 'sse' */
  readonly subjectPrefix?: string;
  /** Retention: most messages kept. @default 100000 */
  readonly maxMessages?: number;
  /** Retention: most bytes kept. @default 268435456 (256 MiB) */
  readonly maxBytes?: number;
  /** Retention: oldest message age in ms; 0 keeps messages until the other limits. @default 0 */
  readonly maxAgeMs?: number;
  /** `file` survives a server restart; `memory` does not. @default 'file' */
  readonly storage?: 'file' | 'memory';
  /** Replicas of the stream in a JetStream cluster. @default 1 */
  readonly replicas?: number;
  /** Longest a publish (or history read) may take before it rejects. @default 5000 */
  readonly publishTimeoutMs?: number;
}

const CHANNEL = /^[A-Za-z0-9_-]{1,100}$/;

/** Checks the options. @throws SseError `SSE_INVALID_OPTION` */
export function checkOptions(options: NatsBusOptions): void {
  if (typeof options?.channel !== 'string' || !CHANNEL.test(options.channel)) {
    throw new SseError(
      'SSE_INVALID_OPTION',
      `createNatsBus: channel must be 1–100 characters of [A-Za-z0-9_-] (it names a stream and a subject), got ${JSON.stringify(options?.channel)}.`,
    );
  }
  const positive = ['maxMessages', 'maxBytes', 'publishTimeoutMs', 'replicas'] as const;
  for (const name of positive) {
    const value = options[name];
    if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
      throw new SseError(
        'SSE_INVALID_OPTION',
        `createNatsBus: ${name} must be a positive number, got ${value}.`,
      );
    }
  }
}

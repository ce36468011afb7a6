import { MAX_TIMER_MS, MIN_RECONNECT_DELAY_MS } from './backoff.js';
import { SseClientError } from './errors.js';
import { MIN_IDLE_TIMEOUT_MS } from './idle-watchdog.js';
import type { EventStreamOptions, LastEventIdStorage } from './options.js';

/** Options with their defaults applied and checked. */
export interface Settings {
  readonly parse: (data: string, type: string) => unknown;
  readonly storage: LastEventIdStorage | undefined;
  readonly storageKey: string;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly maxGatewayDelayMs: number;
  readonly maxRetries: number;
  /** A fixed idle timeout, 0 for none, `undefined` to learn it from the server. */
  readonly idleTimeoutMs: number | undefined;
  readonly dedupeWindow: number;
  readonly maxBufferedEvents: number;
  readonly events: readonly string[];
  readonly random: () => number;
}

function check(
  name: string,
  value: number | undefined,
  fallback: number,
  min: number,
  why = '',
): number {
  if (value === undefined) return fallback;
  const integerOrInfinity = Number.isInteger(value) || value === Number.POSITIVE_INFINITY;
  if (typeof value !== 'number' || !integerOrInfinity || value < min) {
    throw new SseClientError(
      'SSE_INVALID_OPTION',
      `Expected ${name} to be a whole number ≥ ${min}, got ${String(value)}.${why}`,
      { fatal: true },
    );
  }
  return value;
}

const PARSERS = {
  json: (data: string): unknown => JSON.parse(data),
  text: (data: string): unknown => data,
} as const;

/**
 * Applies defaults and validates numbers.
 * @param url - the stream URL (part of the default storage key).
 * @param options - the user's options.
 * @returns the settings.
 * @throws SseClientError `SSE_INVALID_OPTION` when an option is out of range.
 */
export function resolveSettings(url: string, options: EventStreamOptions): Settings {
  const parse = options.parse ?? 'json';
  if (typeof parse !== 'function' && parse !== 'json' && parse !== 'text') {
    throw new SseClientError(
      'SSE_INVALID_OPTION',
      `Expected parse to be 'json', 'text' or a function, got ${String(parse)}.`,
      { fatal: true },
    );
  }
  // Below the floor the backoff would raise it anyway; saying so beats a silent change.
  const initialDelayMs = check(
    'initialDelayMs',
    options.initialDelayMs,
    1000,
    MIN_RECONNECT_DELAY_MS,
    ` No reconnect waits less than ${MIN_RECONNECT_DELAY_MS} ms, so that a failing server is not hammered.`,
  );
  const maxDelayMs = check(
    'maxDelayMs',
    options.maxDelayMs,
    Math.max(30_000, initialDelayMs),
    initialDelayMs,
  );
  return {
    parse: typeof parse === 'function' ? parse : PARSERS[parse],
    storage: options.storage,
    storageKey: options.storageKey ?? `@sse/client:last-event-id:${url}`,
    initialDelayMs,
    maxDelayMs,
    maxGatewayDelayMs: check(
      'maxGatewayDelayMs',
      options.maxGatewayDelayMs,
      Math.max(2_000, initialDelayMs),
      MIN_RECONNECT_DELAY_MS,
    ),
    maxRetries: check('maxRetries', options.maxRetries, Number.POSITIVE_INFINITY, 0),
    idleTimeoutMs: checkIdleTimeout(options.idleTimeoutMs),
    dedupeWindow: check('dedupeWindow', options.dedupeWindow, 1000, 0),
    maxBufferedEvents: check('maxBufferedEvents', options.maxBufferedEvents, 10_000, 1),
    events: options.events ?? [],
    random: options.random ?? Math.random,
  };
}

/**
 * `idleTimeoutMs`: absent (learn it from the server), 0 (off), or a whole number of ms from
 * {@link MIN_IDLE_TIMEOUT_MS} to what a timer can hold. Infinity is refused rather than
 * taken as "off": a timer given it fires at once.
 */
function checkIdleTimeout(value: number | undefined): number | undefined {
  if (value === undefined || value === 0) return value;
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < MIN_IDLE_TIMEOUT_MS ||
    value > MAX_TIMER_MS
  ) {
    throw new SseClientError(
      'SSE_INVALID_OPTION',
      `Expected idleTimeoutMs to be 0 (no watchdog) or a whole number of ms from ${MIN_IDLE_TIMEOUT_MS} ` +
        `to ${MAX_TIMER_MS}, got ${String(value)}. Leave it out to learn it from the server's keep-alive.`,
      { fatal: true },
    );
  }
  return value;
}

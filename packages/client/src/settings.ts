import { MIN_RECONNECT_DELAY_MS } from './backoff.js';
import { SseClientError } from './errors.js';
import type { EventStreamOptions, LastEventIdStorage } from './options.js';

/** Options with their defaults applied and checked. */
export interface Settings {
  readonly parse: (data: string, type: string) => unknown;
  readonly storage: LastEventIdStorage | undefined;
  readonly storageKey: string;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly maxRetries: number;
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
  return {
    parse: typeof parse === 'function' ? parse : PARSERS[parse],
    storage: options.storage,
    storageKey: options.storageKey ?? `@sse/client:last-event-id:${url}`,
    initialDelayMs,
    maxDelayMs: check(
      'maxDelayMs',
      options.maxDelayMs,
      Math.max(30_000, initialDelayMs),
      initialDelayMs,
    ),
    maxRetries: check('maxRetries', options.maxRetries, Number.POSITIVE_INFINITY, 0),
    dedupeWindow: check('dedupeWindow', options.dedupeWindow, 1000, 0),
    maxBufferedEvents: check('maxBufferedEvents', options.maxBufferedEvents, 10_000, 1),
    events: options.events ?? [],
    random: options.random ?? Math.random,
  };
}

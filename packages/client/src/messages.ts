import { SseClientError } from './errors.js';
import type { DisconnectInfo, ResetInfo, StreamMessage } from './options.js';
import type { ParsedEvent } from './parser/event-stream-parser.js';

/**
 * Builds what handlers and iterators receive from a parsed frame.
 * @param event - the parsed frame.
 * @param data - its parsed data.
 * @returns the message.
 */
export function toMessage<T>(event: ParsedEvent, data: T): StreamMessage<T> {
  return {
    type: event.type,
    data,
    rawData: event.data,
    id: event.id,
    lastEventId: event.lastEventId,
  };
}

/**
 * Reads the `sse-reset` data (`{"reason": string}`); anything else becomes the reason as is.
 * @param raw - the frame's data.
 * @returns the reset info.
 */
export function parseReset(raw: string): ResetInfo {
  try {
    const value: unknown = JSON.parse(raw);
    if (typeof value === 'object' && value !== null) {
      const reason = (value as { reason?: unknown }).reason;
      if (typeof reason === 'string') return { reason };
    }
  } catch {
    // Not JSON: the raw text is the best reason we have.
  }
  return { reason: raw };
}

/**
 * Reads the data of an `sse-disconnect` event; anything unreadable means "may come back".
 * @param raw - the event's data.
 */
export function parseDisconnect(raw: string): DisconnectInfo {
  try {
    const value = JSON.parse(raw) as { reason?: unknown; reconnect?: unknown };
    return {
      reason: typeof value?.reason === 'string' ? value.reason : raw,
      reconnect: value?.reconnect !== false,
    };
  } catch {
    return { reason: raw, reconnect: true };
  }
}

/**
 * The error once the server asked this client not to come back.
 * @returns a fatal `SSE_DISCONNECTED` error.
 */
export function disconnected(url: string, info: DisconnectInfo): SseClientError {
  return new SseClientError(
    'SSE_DISCONNECTED',
    `The server ended the stream at ${url} and asked not to reconnect: ${info.reason}.`,
    { cause: info.reason, fatal: true },
  );
}

/**
 * The error for a storage that threw.
 * @param action - what failed.
 * @param cause - what it threw.
 * @returns a non-fatal `SSE_STORAGE_FAILED` error.
 */
export function storageError(action: 'read' | 'save', cause: unknown): SseClientError {
  return new SseClientError(
    'SSE_STORAGE_FAILED',
    `Could not ${action} the last event id in storage: ${cause instanceof Error ? cause.message : String(cause)}. ` +
      'Resuming works within this page only.',
    { cause },
  );
}

const describe = (cause: unknown): string =>
  cause instanceof Error ? cause.message : String(cause);

/**
 * The error for a request the platform refused to start (e.g. EventSource with a malformed URL).
 * @returns a fatal `SSE_INVALID_OPTION` error.
 */
export function requestRefused(url: string, cause: unknown): SseClientError {
  return new SseClientError(
    'SSE_INVALID_OPTION',
    `Could not start a request to ${url}: ${describe(cause)}. Check the URL.`,
    { cause, fatal: true },
  );
}

/**
 * The error once `maxRetries` attempts in a row failed.
 * @returns a fatal `SSE_RETRIES_EXHAUSTED` error.
 */
export function retriesExhausted(url: string, failures: number, cause: unknown): SseClientError {
  return new SseClientError(
    'SSE_RETRIES_EXHAUSTED',
    `Gave up on ${url} after ${failures} failed attempts in a row ` +
      '(maxRetries; a connection that ends before any event counts as failed). ' +
      'Create a new stream to try again.',
    { cause, fatal: true },
  );
}

/**
 * The error for event data the `parse` option could not parse (the event is skipped).
 * @returns a non-fatal `SSE_PARSE_FAILED` error.
 */
export function parseFailed(event: ParsedEvent, cause: unknown): SseClientError {
  return new SseClientError(
    'SSE_PARSE_FAILED',
    `Could not parse the data of a "${event.type}" event${event.id ? ` (id ${event.id})` : ''}: ` +
      `${describe(cause)}. The event was skipped; ` +
      "pass parse: 'text' or your own function if the server sends non-JSON data.",
    { cause },
  );
}

/** What the idle watchdog saw when it fired. */
export interface IdleFacts {
  /** How long nothing arrived, in ms. */
  readonly silentMs: number;
  /** The timeout that was exceeded, in ms. */
  readonly timeoutMs: number;
  /** Whether the response had arrived (false: still waiting for its headers). */
  readonly opened: boolean;
  /** The keep-alive the server advertised (or the fixed `idleTimeoutMs`). */
  readonly advertisedMs: number | undefined;
}

/**
 * The error when the idle watchdog closes an attempt on which nothing arrived.
 * @param url - the stream URL.
 * @param facts - the silence and the timeout.
 * @param fixed - whether the timeout is the `idleTimeoutMs` option rather than learned.
 * @returns a retryable `SSE_IDLE_TIMEOUT` error.
 */
export function idleTimedOut(url: string, facts: IdleFacts, fixed: boolean): SseClientError {
  const silent = Math.round(facts.silentMs);
  const why = fixed
    ? `idleTimeoutMs is ${facts.timeoutMs}`
    : `the server advertised a heartbeat at least every ${facts.advertisedMs} ms ` +
      `(sse-keep-alive), and the client waits ${facts.timeoutMs} ms`;
  const what = facts.opened
    ? `Nothing arrived from ${url} for ${silent} ms`
    : `No response from ${url} after ${silent} ms`;
  return new SseClientError(
    'SSE_IDLE_TIMEOUT',
    `${what}, though ${why}: the server or a proxy on the way stopped responding while the ` +
      'connection stayed open (a frozen process, a dead connection). Reconnecting with the last ' +
      'event id; pass idleTimeoutMs to change the timeout, 0 to turn it off.',
  );
}

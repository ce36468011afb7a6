import http from 'node:http';
import { POSITION_EVENT } from '../wire/control-events.js';
import { waitFor } from './wait-for.js';

/** One dispatched event, as a spec-following client would see it. */
export interface ReadEvent {
  readonly event: string;
  readonly data: string;
  readonly id: string;
}

/**
 * Reads an SSE stream over a real HTTP/1.1 request and parses it the way the HTML spec
 * says a client must. For tests: it keeps everything it read (`raw`, `events`,
 * `comments`, `retry`, `lastEventId`) so that assertions can look at the wire. Like
 * `@sse/client`, it keeps the hub's `sse-position` events out of `events` (they are in
 * `positions`): they only move the last event id.
 *
 * @example
 * ```ts
 * const reader = await SseReader.open(`${url}/events`, { 'last-event-id': id });
 * await reader.waitForEvents(3);
 * reader.close();
 * ```
 */
export class SseReader {
  /** Every byte read, as text. */
  raw = '';
  /** Dispatched events, in order, without `sse-position` events. */
  readonly events: ReadEvent[] = [];
  /** The ids of the `sse-position` events received, in order. */
  readonly positions: string[] = [];
  /** Comment lines seen (heartbeats). */
  comments = 0;
  /** The last valid `retry:` value. */
  retry: number | undefined;
  /** The client's "last event ID string". */
  lastEventId = '';
  /** HTTP status of the response. */
  status = 0;
  /** Response headers. */
  headers: http.IncomingHttpHeaders = {};
  /** Whether the response ended or the connection closed. */
  ended = false;
  private request: http.ClientRequest | undefined;
  private buffer = '';
  private dataBuffer = '';
  private eventType = '';
  private idBuffer = '';

  /** Opens `url` with `accept: text/event-stream` and resolves once the response headers arrived. */
  static async open(url: string, headers: Record<string, string> = {}): Promise<SseReader> {
    const reader = new SseReader();
    await reader.start(url, headers);
    return reader;
  }

  private start(url: string, headers: Record<string, string>): Promise<void> {
    return new Promise((resolve, reject) => {
      const request = http.get(
        url,
        { headers: { accept: 'text/event-stream', ...headers }, agent: false },
        (res) => {
          this.status = res.statusCode ?? 0;
          this.headers = res.headers;
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => this.feed(chunk));
          res.on('end', () => {
            this.ended = true;
          });
          res.on('close', () => {
            this.ended = true;
          });
          resolve();
        },
      );
      request.on('error', (error) => {
        this.ended = true;
        reject(error);
      });
      this.request = request;
    });
  }

  /** Waits until `count` events were dispatched; rejects after `timeoutMs`. */
  async waitForEvents(count: number, timeoutMs = 5000): Promise<ReadEvent[]> {
    await waitFor(
      () => this.events.length >= count,
      timeoutMs,
      `${count} events (got ${this.events.length})`,
    );
    return this.events;
  }

  /** Events of one type. */
  named(name: string): ReadEvent[] {
    return this.events.filter((e) => e.event === name);
  }

  /** Aborts the request (the server sees a client disconnect). */
  close(): void {
    this.request?.destroy();
  }

  private feed(chunk: string): void {
    this.raw += chunk;
    this.buffer += chunk;
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer);
      if (!match) return;
      // A trailing CR may be the first half of a CRLF split across chunks.
      if (match[0] === '\r' && match.index === this.buffer.length - 1) return;
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      this.line(line);
    }
  }

  private line(line: string): void {
    if (line === '') {
      this.lastEventId = this.idBuffer;
      if (this.dataBuffer !== '' && this.eventType === POSITION_EVENT) {
        this.positions.push(this.lastEventId);
      } else if (this.dataBuffer !== '') {
        this.events.push({
          event: this.eventType || 'message',
          data: this.dataBuffer.slice(0, -1),
          id: this.lastEventId,
        });
      }
      this.dataBuffer = '';
      this.eventType = '';
      return;
    }
    if (line.startsWith(':')) {
      this.comments++;
      return;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.dataBuffer += `${value}\n`;
    else if (field === 'event') this.eventType = value;
    else if (field === 'id' && !value.includes('\0')) this.idBuffer = value;
    else if (field === 'retry' && /^\d+$/.test(value)) this.retry = Number(value);
  }
}

import type {
  EventMap,
  EventStream,
  ReconnectInfo,
  SseClientError,
  StreamState,
} from '../../src/index.js';

/** Everything a stream reported, in order, for assertions. */
export interface Recording {
  readonly states: StreamState[];
  readonly errors: SseClientError[];
  readonly reconnects: (ReconnectInfo & { at: number })[];
  readonly resets: string[];
  readonly data: unknown[];
  readonly ids: (string | undefined)[];
}

/** Subscribes to the lifecycle events and to `types`, recording what arrives. */
export function record<E extends EventMap>(
  stream: EventStream<E>,
  types: readonly (keyof E & string)[] = ['message'],
): Recording {
  const rec: Recording = { states: [], errors: [], reconnects: [], resets: [], data: [], ids: [] };
  stream.on('state', (s) => rec.states.push(s));
  stream.on('error', (e) => rec.errors.push(e));
  stream.on('reconnecting', (info) => rec.reconnects.push({ ...info, at: performance.now() }));
  stream.on('reset', (info) => rec.resets.push(info.reason));
  for (const type of types) {
    stream.on(type, (data, message) => {
      rec.data.push(data);
      rec.ids.push(message.id);
    });
  }
  return rec;
}

import { SseClientError } from './errors.js';
import { reportUncaught } from './report-uncaught.js';

/** Any handler; the typed surface lives on `EventStream.on`. */
export type AnyHandler = (...args: never[]) => void;

/** The stream's own event names; everything else is a server event. */
export const LIFECYCLE: ReadonlySet<string> = new Set(['state', 'error', 'reset', 'reconnecting']);

/** Handlers by event name, with isolation: one throwing handler never stops the others. */
export interface HandlerRegistry {
  /** Adds `handler`; the first handler of a new server event type notifies the watchers. */
  on(type: string, handler: AnyHandler): void;
  off(type: string, handler: AnyHandler): void;
  /** Calls every handler of `type`; a throw becomes an `SSE_HANDLER_THREW` error event. */
  emit(type: string, ...args: unknown[]): void;
  /** Server event types that have handlers. */
  serverTypes(): Iterable<string>;
  /** Watches for new server event types (the EventSource transport subscribes to them). */
  watchTypes(watcher: (type: string) => void): () => void;
  clear(): void;
}

/**
 * Creates a {@link HandlerRegistry}.
 * @returns the registry.
 */
export function createHandlerRegistry(): HandlerRegistry {
  const handlers = new Map<string, Set<AnyHandler>>();
  const watchers = new Set<(type: string) => void>();

  const emit = (type: string, ...args: unknown[]): void => {
    const set = handlers.get(type);
    if (set === undefined || set.size === 0) return;
    // A copy: a handler may unsubscribe itself or others while we iterate.
    for (const handler of [...set]) {
      try {
        (handler as (...a: unknown[]) => void)(...args);
      } catch (cause) {
        threw(type, cause);
      }
    }
  };

  const threw = (type: string, cause: unknown): void => {
    const errorHandlers = handlers.get('error');
    if (type === 'error' || errorHandlers === undefined || errorHandlers.size === 0) {
      reportUncaught(cause);
      return;
    }
    emit(
      'error',
      new SseClientError(
        'SSE_HANDLER_THREW',
        `A "${type}" handler threw: ${cause instanceof Error ? cause.message : String(cause)}. ` +
          'The stream goes on; catch errors inside your handler.',
        { cause },
      ),
    );
  };

  return {
    on(type, handler): void {
      let set = handlers.get(type);
      if (set === undefined) {
        set = new Set();
        handlers.set(type, set);
        if (!LIFECYCLE.has(type)) for (const watcher of watchers) watcher(type);
      }
      set.add(handler);
    },
    off(type, handler): void {
      handlers.get(type)?.delete(handler);
    },
    emit,
    *serverTypes(): Iterable<string> {
      for (const type of handlers.keys()) if (!LIFECYCLE.has(type)) yield type;
    },
    watchTypes(watcher): () => void {
      watchers.add(watcher);
      return () => watchers.delete(watcher);
    },
    clear(): void {
      handlers.clear();
      watchers.clear();
    },
  };
}

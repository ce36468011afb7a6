import { SseClientError } from './errors.js';

/** One async iterator's buffer: events pushed by the stream, pulled by `next()`. */
export interface MessageQueue<T> extends AsyncIterableIterator<T> {
  /** Adds an event (ignored after `end`). */
  push(value: T): void;
  /** Ends iteration after the buffered events: normally, or by throwing `error`. */
  end(error?: Error): void;
}

/**
 * Creates a bounded queue that is its own async iterator.
 * @param limit - buffered events before the iterator fails with `SSE_BUFFER_OVERFLOW`.
 * @param onReturn - called once when the consumer stops early (`break`, `return`).
 * @returns the queue.
 */
export function createMessageQueue<T>(limit: number, onReturn: () => void): MessageQueue<T> {
  const buffer: T[] = [];
  let head = 0;
  let ended = false;
  let failure: Error | undefined;
  let waiter: { resolve: (r: IteratorResult<T>) => void; reject: (e: Error) => void } | undefined;

  const settle = (): void => {
    if (waiter === undefined) return;
    const w = waiter;
    if (head < buffer.length) {
      waiter = undefined;
      w.resolve({ done: false, value: take() });
    } else if (ended) {
      waiter = undefined;
      if (failure !== undefined) {
        const error = failure;
        failure = undefined; // thrown once; later calls just report done
        w.reject(error);
      } else w.resolve({ done: true, value: undefined });
    }
  };
  const take = (): T => {
    const value = buffer[head]!;
    head += 1;
    // Compact now and then rather than shifting on every read (shift is O(n)).
    if (head > 1024 && head * 2 > buffer.length) {
      buffer.splice(0, head);
      head = 0;
    }
    return value;
  };
  const end = (error?: Error): void => {
    if (ended) return;
    ended = true;
    failure = error;
    settle();
  };

  const queue: MessageQueue<T> = {
    push(value: T): void {
      if (ended) return;
      if (buffer.length - head >= limit) {
        buffer.length = 0;
        head = 0;
        end(
          new SseClientError(
            'SSE_BUFFER_OVERFLOW',
            `This async iterator fell ${limit} events behind. Process events faster, raise ` +
              '`maxBufferedEvents`, or use on() handlers.',
          ),
        );
        return;
      }
      buffer.push(value);
      settle();
    },
    end,
    next(): Promise<IteratorResult<T>> {
      return new Promise((resolve, reject) => {
        waiter = { resolve, reject };
        settle();
      });
    },
    return(): Promise<IteratorResult<T>> {
      if (!ended) {
        end();
        onReturn();
      }
      buffer.length = 0;
      head = 0;
      return Promise.resolve({ done: true, value: undefined });
    },
    [Symbol.asyncIterator](): MessageQueue<T> {
      return queue;
    },
  };
  return queue;
}

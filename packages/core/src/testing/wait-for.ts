/**
 * Polls `predicate` until it returns a truthy value, or rejects after `timeoutMs` with an
 * error that names what never happened. Use this instead of sleeping in tests.
 *
 * @param predicate - checked every `intervalMs`; its truthy result is returned.
 * @param timeoutMs - deadline. @default 5000
 * @param what - phrase for the error message, e.g. `"member B to receive 50 entries"`.
 * @throws Error `Timed out after 5000 ms waiting for …`.
 */
export async function waitFor<T>(
  predicate: () => T | Promise<T>,
  timeoutMs = 5000,
  what = 'a condition',
  intervalMs = 10,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const suffix = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${suffix}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * Resolves with the first emission of `event` on `emitter`, or rejects after `timeoutMs`.
 * @param emitter - anything with `once` and `off` (Node `EventEmitter`, the hub).
 */
export function nextEvent<T = unknown>(
  emitter: {
    once(event: string, fn: (value: T) => void): unknown;
    off(event: string, fn: (value: T) => void): unknown;
  },
  event: string,
  timeoutMs = 5000,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onEvent = (value: T): void => {
      clearTimeout(timer);
      resolve(value);
    };
    const timer = setTimeout(() => {
      emitter.off(event, onEvent);
      reject(new Error(`Timed out after ${timeoutMs} ms waiting for event "${event}"`));
    }, timeoutMs);
    emitter.once(event, onEvent);
  });
}

/**
 * Rejects with `onTimeout()` when `promise` has not settled within `ms`. The timer never
 * keeps the process alive and is cleared as soon as the promise settles; the promise itself
 * goes on (a driver call cannot be cancelled), its late outcome ignored.
 * @param promise - the operation.
 * @param ms - the deadline.
 * @param onTimeout - the error to reject with; say what did not happen in time.
 * @returns the operation's value, if it came in time.
 */
export function withDeadline<T>(
  promise: Promise<T>,
  ms: number,
  onTimeout: () => Error,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
    timer.unref();
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

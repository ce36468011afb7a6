/**
 * Re-throws `error` outside our call stack, as `EventTarget` does with a listener's exception:
 * the browser's `reportError` (console and `window.onerror`), else an uncaught exception.
 * Used only when no `error` handler can take it, so nothing is swallowed.
 *
 * @param error - what a handler threw.
 */
export function reportUncaught(error: unknown): void {
  const report = (globalThis as { reportError?: (e: unknown) => void }).reportError;
  if (typeof report === 'function') {
    report(error);
    return;
  }
  setTimeout(() => {
    throw error;
  }, 0);
}

import type { ChildProcess } from 'node:child_process';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const FIXTURE = fileURLToPath(new URL('../fixtures/hub-instance.mjs', import.meta.url));

/** An `@sse/core` hub in a child process (see `fixtures/hub-instance.mjs`). */
export interface HubProcess {
  readonly port: number;
  readonly child: ChildProcess;
  /** Publishes `text` as a `message` event; resolves with its id. */
  publish(text: string, timeoutMs?: number): Promise<string>;
  /** SIGCONT (in case it is stopped), then SIGKILL; resolves once it exited. */
  kill(): Promise<void>;
}

function nextMessage<T>(
  child: ChildProcess,
  pick: (message: unknown) => T | undefined,
  timeoutMs: number,
  what: string,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onMessage = (message: unknown): void => {
      const value = pick(message);
      if (value === undefined) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(value);
    };
    const timer = setTimeout(() => {
      child.off('message', onMessage);
      reject(new Error(`Timed out after ${timeoutMs} ms waiting for the hub process: ${what}`));
    }, timeoutMs);
    child.on('message', onMessage);
  });
}

/**
 * Starts a hub process on 127.0.0.1:0.
 * @param keepAliveMs - the hub's heartbeat interval (advertised to clients).
 * @param retryMs - the hub's `retry:` hint.
 */
export async function startHubProcess(keepAliveMs: number, retryMs: number): Promise<HubProcess> {
  const child = fork(FIXTURE, [String(keepAliveMs), String(retryMs)], { stdio: 'inherit' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await nextMessage(
    child,
    (m) => (m as { port?: number }).port,
    10_000,
    'its port',
  ).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  return {
    port,
    child,
    publish(text, timeoutMs = 5000) {
      const published = nextMessage(
        child,
        (m) => (m as { published?: string }).published,
        timeoutMs,
        `publishing "${text}"`,
      );
      child.send({ publish: text });
      return published;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGCONT');
        child.kill('SIGKILL');
      }
      await exited;
    },
  };
}

// Parent side of the IPC with a benchmark child process (server or load generator): every
// wait has a deadline and names what never came, and children are always killed.
import { fork } from 'node:child_process';

/**
 * Resolves with `message[key]` of the first message from `child` that has `key`; rejects
 * after `timeoutMs`, when the child reports an `error` first, or when it exits first.
 */
export function waitFor(child, key, timeoutMs = 60_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${child.label ?? 'child'}: no "${key}" within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (message) => {
      if (message?.error !== undefined && key !== 'error') {
        // A command handler failed (server/main.mjs answers `{ error }`): say so now.
        cleanup();
        reject(new Error(`${child.label ?? 'child'} failed before "${key}": ${message.error}`));
        return;
      }
      if (message?.[key] === undefined) return;
      cleanup();
      resolve(message[key]);
    };
    const onExit = (code, signal) => {
      cleanup();
      reject(new Error(`${child.label ?? 'child'} exited (${signal ?? code}) before "${key}"`));
    };
    function cleanup() {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    }
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/** Sends `message` and waits for the reply carrying `key`. */
export function ask(child, message, key, timeoutMs) {
  const reply = waitFor(child, key, timeoutMs);
  child.send(message);
  return reply;
}

/**
 * Forks a benchmark process with `--expose-gc` and a label for error messages.
 */
export function spawnChild(file, args, label) {
  const child = fork(file, args, {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: [
      '--expose-gc',
      '--max-old-space-size=8192',
      // BENCH_CPU_PROF=dir profiles the server processes (`node --cpu-prof`) for a look
      // with Chrome DevTools or `node tooling/bench/src/lib/top-functions.mjs`.
      ...(process.env.BENCH_CPU_PROF && label.startsWith('server')
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
        : []),
    ],
  });
  child.label = label;
  return child;
}

/** Kills a child and waits (at most 5 s) until it is gone. */
export function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

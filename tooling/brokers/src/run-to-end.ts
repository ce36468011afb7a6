import { spawn } from 'node:child_process';
import type { RunAs } from './broker-process.js';

/** Options for {@link runToEnd}. */
export interface RunToEndOptions {
  readonly cwd?: string;
  readonly runAs?: RunAs | undefined;
  /** Said when the executable is missing. */
  readonly installHint: string;
  /** Killed (SIGKILL, by PID) after this long. */
  readonly timeoutMs: number;
}

/**
 * Runs a preparation step (`initdb`, Kafka's storage format, `mvn`) to its end without
 * blocking the event loop, as `spawnSync` would for seconds.
 *
 * @param name - For messages, e.g. `initdb`.
 * @returns What it printed (stdout and stderr).
 * @throws Error with its output when it exits with another code than 0, is missing or
 *   takes longer than `timeoutMs`.
 */
export function runToEnd(
  name: string,
  command: string,
  args: readonly string[],
  options: RunToEndOptions,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.runAs ? { uid: options.runAs.uid, gid: options.runAs.gid } : {}),
    });
    let output = '';
    const collect = (chunk: string): void => {
      output = (output + chunk).slice(-20_000);
    };
    child.stdout.setEncoding('utf8').on('data', collect);
    child.stderr.setEncoding('utf8').on('data', collect);
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    }, options.timeoutMs);
    child.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        error.code === 'ENOENT'
          ? new Error(`${name} is not installed (${command} not found): ${options.installHint}`)
          : new Error(`${name} could not be started: ${error.message}`, { cause: error }),
      );
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else
        reject(
          new Error(
            signal === 'SIGKILL'
              ? `${name} did not finish within ${options.timeoutMs} ms:\n${output.slice(-3000)}`
              : `${name} failed (exit ${signal ?? code}):\n${output.slice(-3000)}`,
          ),
        );
    });
  });
}

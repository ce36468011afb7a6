import { spawn } from 'node:child_process';

/** What a finished command left behind. */
export interface RunResult {
  /** Exit code; `null` when it was killed. */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** How to run one command. */
export interface RunOptions {
  /** Working directory. */
  readonly cwd: string;
  /** The complete environment (build it with {@link cleanEnv}). */
  readonly env: NodeJS.ProcessEnv;
  /**
   * Kill the command (its whole process group) after this long.
   * @default 60_000
   */
  readonly timeoutMs?: number;
}

/**
 * The environment for a child command: this process's, minus what `pnpm run` and vitest
 * inject (`npm_*` configuration, `NODE_ENV=test`, `VITEST*`), which would otherwise leak the
 * outer workspace's registry and settings into the release under test.
 *
 * @param extra - Variables to set on top.
 * @returns A fresh environment object.
 */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_|pnpm_script_src_dir$|vitest|node_env$|init_cwd$|test$)/i.test(key)) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

/**
 * Runs a command without a shell and collects its output.
 *
 * @param command - Executable (found on the environment's PATH).
 * @param args - Its arguments.
 * @param options - Working directory, environment and deadline.
 * @returns The exit code and output; never rejects for a non-zero exit.
 * @throws Error when the command cannot be started.
 */
export function run(
  command: string,
  args: readonly string[],
  options: RunOptions,
): Promise<RunResult> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    // Own process group, so a deadline also ends what the command spawned (pnpm → node).
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // Already gone between the deadline and the kill: nothing left to end.
        }
      }
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`could not start \`${command}\` in ${options.cwd}: ${error.message}`));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      if (timedOut) stderr += `\n[release-test] killed after ${timeoutMs} ms\n`;
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * Runs a command and insists on exit code 0.
 *
 * @param command - Executable.
 * @param args - Its arguments.
 * @param options - Working directory, environment and deadline.
 * @returns Its output.
 * @throws Error naming the command, the directory, the exit code and the end of its output.
 */
export async function mustRun(
  command: string,
  args: readonly string[],
  options: RunOptions,
): Promise<RunResult> {
  const result = await run(command, args, options);
  if (result.code !== 0) {
    throw new Error(
      `\`${command} ${args.join(' ')}\` in ${options.cwd} exited with ${result.code}\n` +
        `--- stdout (end) ---\n${tail(result.stdout)}\n--- stderr (end) ---\n${tail(result.stderr)}`,
    );
  }
  return result;
}

/**
 * The last lines of some output, for error messages.
 *
 * @param text - Output.
 * @param lines - How many lines to keep.
 * @default lines 40
 * @returns The end of `text`.
 */
export function tail(text: string, lines = 40): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

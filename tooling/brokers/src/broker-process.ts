import { type ChildProcess, spawn } from 'node:child_process';
import { atExit } from './exit-cleanup.js';

/** A user to run a process as (PostgreSQL refuses to run as root). */
export interface RunAs {
  readonly uid: number;
  readonly gid: number;
}

/** How to run one broker process and how to tell that it is ready. */
export interface BrokerProcessSpec {
  /** For messages, e.g. `redis-server`. */
  readonly name: string;
  /** The executable (a path, or a name looked up on `PATH`). */
  readonly command: string;
  readonly args: readonly string[];
  /** Matched against everything the process printed since it was started. */
  readonly readyLine: RegExp;
  /** How long a start may take before it fails (and the process is killed). */
  readonly startTimeoutMs: number;
  /** The signal for a clean shutdown (`SIGTERM` for most, `SIGINT` for PostgreSQL's fast one). */
  readonly stopSignal: NodeJS.Signals;
  /** How long a clean shutdown may take before the process is killed. */
  readonly stopGraceMs: number;
  /** Said when the executable is missing, e.g. `apt-get install redis-server`. */
  readonly installHint: string;
  /** @default the current directory */
  readonly cwd?: string;
  readonly runAs?: RunAs | undefined;
}

/** How much of a process's output is kept for error messages. */
const OUTPUT_LIMIT = 20_000;

function signalByPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (error) {
    // ESRCH: it exited on its own a moment ago; its exit event is on its way.
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/**
 * One broker process: started (again) with the same arguments, ready when its log says so,
 * stopped by PID. Its output is kept (the last 20 000 characters) for error messages; it is
 * always read, so a chatty broker never blocks on a full pipe.
 */
export class BrokerProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private log = '';
  private forgetAtExit: () => void = () => undefined;

  /** @param spec - What to run; see {@link BrokerProcessSpec}. */
  constructor(readonly spec: BrokerProcessSpec) {}

  /** The PID while it runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** What it printed since its last start (stdout and stderr, interleaved). */
  output(): string {
    return this.log;
  }

  /**
   * Starts the process unless it runs, and resolves once its ready line appeared.
   * @returns How long the start took, in ms (0 when it was running).
   * @throws Error naming the process, with its output, when it exits first, is not installed
   *   or is not ready within `startTimeoutMs` (it is killed then).
   */
  async start(): Promise<number> {
    if (this.child) return 0;
    const { name, command, args, readyLine, startTimeoutMs, runAs } = this.spec;
    const started = Date.now();
    this.log = '';
    const child = spawn(command, args, {
      cwd: this.spec.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
    });
    this.child = child;
    this.exited = new Promise((resolve) => {
      const gone = (): void => {
        if (this.child === child) this.child = undefined;
        this.forgetAtExit();
        resolve();
      };
      child.once('exit', gone);
      // A process that could not be spawned at all has no PID and may never emit 'exit'.
      child.once('error', () => {
        if (child.pid === undefined) gone();
      });
    });
    if (child.pid !== undefined) {
      const pid = child.pid;
      this.forgetAtExit = atExit(() => signalByPid(pid, 'SIGKILL'));
    }
    const collect = (chunk: string): void => {
      this.log = (this.log + chunk).slice(-OUTPUT_LIMIT);
    };
    child.stdout?.setEncoding('utf8').on('data', collect);
    child.stderr?.setEncoding('utf8').on('data', collect);

    try {
      await new Promise<void>((resolve, reject) => {
        const settle = (error?: Error): void => {
          clearTimeout(timer);
          child.stdout?.off('data', check);
          child.stderr?.off('data', check);
          child.off('exit', onExit);
          child.off('error', onError);
          if (error) reject(error);
          else resolve();
        };
        const check = (): void => {
          if (readyLine.test(this.log)) settle();
        };
        const onExit = (code: number | null, signal: NodeJS.Signals | null): void =>
          settle(new Error(`${name} exited (${signal ?? code}) while starting:\n${this.tail()}`));
        const onError = (error: NodeJS.ErrnoException): void =>
          settle(
            error.code === 'ENOENT'
              ? new Error(
                  `${name} is not installed (${command} not found): ${this.spec.installHint}`,
                )
              : new Error(`${name} could not be started: ${error.message}`, { cause: error }),
          );
        const timer = setTimeout(
          () =>
            settle(new Error(`${name} was not ready within ${startTimeoutMs} ms:\n${this.tail()}`)),
          startTimeoutMs,
        );
        // Listeners go after `collect`, so the chunk that holds the ready line is already kept.
        child.stdout?.on('data', check);
        child.stderr?.on('data', check);
        child.once('exit', onExit);
        child.once('error', onError);
        check();
      });
    } catch (error) {
      await this.kill();
      throw error;
    }
    return Date.now() - started;
  }

  /**
   * Stops the process by PID and resolves once it exited: `signal` first, `SIGKILL` when it
   * is still running after `stopGraceMs`. Nothing happens when it does not run.
   * @param signal - @default the spec's `stopSignal` (a clean shutdown)
   */
  async stop(signal: NodeJS.Signals = this.spec.stopSignal): Promise<void> {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    signalByPid(pid, signal);
    // A frozen process (SIGSTOP) acts on anything but SIGKILL only once it runs again.
    if (signal !== 'SIGKILL') signalByPid(pid, 'SIGCONT');
    const timer =
      signal === 'SIGKILL'
        ? undefined
        : setTimeout(() => signalByPid(pid, 'SIGKILL'), this.spec.stopGraceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** `kill -9` by PID: no shutdown at all, as in a crash. Resolves once it exited. */
  kill(): Promise<void> {
    return this.stop('SIGKILL');
  }

  /**
   * Sends `signal` by PID while it runs (`SIGSTOP`/`SIGCONT` freeze and thaw it).
   * @returns whether it was running.
   */
  signal(signal: NodeJS.Signals): boolean {
    const pid = this.child?.pid;
    if (pid === undefined) return false;
    signalByPid(pid, signal);
    return true;
  }

  private tail(): string {
    return this.log.slice(-3000);
  }
}

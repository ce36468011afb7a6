// Small helpers shared by the repository scripts. Node built-ins only: these run before
// any dependency is installed.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const PNPM_VERSION = '10.34.9';
const LOCAL_PNPM_DIR = path.join(ROOT, '.cache', 'pnpm');

export function log(message) {
  process.stdout.write(`\x1b[36m[sse]\x1b[0m ${message}\n`);
}

export function fail(message) {
  process.stderr.write(`\x1b[31m[sse] ${message}\x1b[0m\n`);
  process.exit(1);
}

/** Runs a command with inherited output; resolves with its exit code. */
export function run(command, args, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      stdio: 'inherit',
      ...options,
      env: { ...process.env, ...options.env },
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    child.on('error', (error) => {
      process.stderr.write(`${error.message}\n`);
      resolve(1);
    });
  });
}

export async function runOrFail(command, args, options) {
  const code = await run(command, args, options);
  if (code !== 0) fail(`\`${command} ${args.join(' ')}\` failed with exit code ${code}`);
}

/** The pnpm to use: one on PATH at the pinned major, or a local copy under .cache/. */
export function pnpmCommand() {
  const local = path.join(LOCAL_PNPM_DIR, 'node_modules', '.bin', 'pnpm');
  if (existsSync(local)) return local;
  const probe = spawnSync('pnpm', ['--version'], { encoding: 'utf8' });
  if (probe.status === 0 && probe.stdout.trim().startsWith('10.')) return 'pnpm';
  return undefined;
}

/** Makes sure pnpm exists: globally if allowed, else a local copy (no root needed). */
export async function ensurePnpm() {
  const found = pnpmCommand();
  if (found) return found;
  log(`installing pnpm@${PNPM_VERSION}`);
  if (
    (await run('npm', ['install', '-g', `pnpm@${PNPM_VERSION}`, '--no-audit', '--no-fund'])) ===
      0 &&
    pnpmCommand()
  ) {
    return pnpmCommand();
  }
  await runOrFail('npm', [
    'install',
    '--prefix',
    LOCAL_PNPM_DIR,
    `pnpm@${PNPM_VERSION}`,
    '--no-audit',
    '--no-fund',
  ]);
  return pnpmCommand() ?? fail('pnpm could not be installed');
}

/** Whether something accepts TCP connections on host:port within `timeoutMs`. */
export function isListening(port, host = '127.0.0.1', timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Workspace packages (packages/*, apps/*, tooling/*) with their package.json. */
export function workspacePackages() {
  const result = [];
  for (const group of ['packages', 'apps', 'tooling']) {
    const dir = path.join(ROOT, group);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      const file = path.join(dir, name, 'package.json');
      if (existsSync(file))
        result.push({
          dir: path.join(dir, name),
          manifest: JSON.parse(readFileSync(file, 'utf8')),
        });
    }
  }
  return result;
}

import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { freePort } from '@sse/brokers';

/** A throwaway Verdaccio serving only what is published to it. */
export interface LocalRegistry {
  /** Base URL with a trailing slash, e.g. `http://127.0.0.1:40123/`. */
  readonly url: string;
  /** Where Verdaccio keeps the published packages (one folder per package). */
  readonly storageDir: string;
  /** Everything Verdaccio printed so far, for failure messages. */
  output(): string;
  /** Stops the server (by its PID) and waits for it to exit. */
  stop(): Promise<void>;
}

// Storage only: no uplinks, so nothing is proxied from a public registry and a package can
// only be found here if this run published it. Anyone may read; publishing needs a login.
const CONFIG = `storage: ./storage
auth:
  htpasswd:
    file: ./htpasswd
    max_users: 10
uplinks: {}
packages:
  '@*/*':
    access: $all
    publish: $authenticated
  '**':
    access: $all
    publish: $authenticated
web:
  enable: false
max_body_size: 50mb
log: { type: stdout, format: pretty, level: warn }
`;

/** The Verdaccio CLI script of the installed devDependency. */
function verdaccioBin(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('verdaccio/package.json')), 'bin', 'verdaccio');
}

/**
 * Starts Verdaccio 6.8 on 127.0.0.1 on a free port, storing everything under `dir`.
 *
 * @param dir - An empty temporary directory; config, users and packages go there.
 * @param timeoutMs - How long to wait for `/-/ping` to answer.
 * @default timeoutMs 30_000
 * @returns The running registry.
 * @throws Error with Verdaccio's output when it exits or never answers.
 */
export async function startRegistry(dir: string, timeoutMs = 30_000): Promise<LocalRegistry> {
  const configFile = path.join(dir, 'config.yaml');
  writeFileSync(configFile, CONFIG);
  // The port can be taken between freePort() and Verdaccio's listen(): try a few.
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [verdaccioBin(), '-c', configFile, '-l', `127.0.0.1:${port}`],
      {
        cwd: dir,
        env: { PATH: process.env.PATH ?? '', HOME: dir },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    const url = `http://127.0.0.1:${port}/`;
    try {
      await waitForPing(url, child, timeoutMs, () => output);
    } catch (error) {
      lastError = error as Error;
      await stopChild(child);
      continue;
    }
    return {
      url,
      storageDir: path.join(dir, 'storage'),
      output: () => output,
      stop: () => stopChild(child),
    };
  }
  throw lastError ?? new Error('Verdaccio did not start');
}

async function waitForPing(
  url: string,
  child: ChildProcess,
  timeoutMs: number,
  output: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`Verdaccio exited (${child.exitCode ?? child.signalCode}):\n${output()}`);
    }
    try {
      const response = await fetch(`${url}-/ping`, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // Not listening yet: poll again until the deadline.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Verdaccio did not answer ${url}-/ping within ${timeoutMs} ms:\n${output()}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Creates a user the way `npm adduser` does (`PUT /-/user/org.couchdb.user:NAME`).
 *
 * @param registryUrl - The registry's base URL.
 * @param name - A new user name.
 * @returns The bearer token to put in an npmrc.
 * @throws Error with the registry's answer when no token comes back.
 */
export async function addUser(registryUrl: string, name: string): Promise<string> {
  const response = await fetch(
    `${registryUrl}-/user/org.couchdb.user:${encodeURIComponent(name)}`,
    {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name,
        password: `pw-${Math.random().toString(36).slice(2)}`,
        email: `${name}@example.invalid`,
      }),
      signal: AbortSignal.timeout(10_000),
    },
  );
  const body = (await response.json()) as { token?: string };
  if (!response.ok || typeof body.token !== 'string') {
    throw new Error(
      `creating user ${name} answered ${response.status} ${JSON.stringify(body)}, expected a token`,
    );
  }
  return body.token;
}

/**
 * Writes an npmrc that sends `@scope` packages to the local registry with the token, and
 * everything else to the public registry. Used through `NPM_CONFIG_USERCONFIG`, never as the
 * repository's `.npmrc`.
 *
 * @param file - Where to write it (in a temporary directory).
 * @param registryUrl - The local registry's base URL.
 * @param token - From {@link addUser}.
 * @param scope - The scope served locally.
 * @default scope '@sse'
 */
export function writeNpmrc(file: string, registryUrl: string, token: string, scope = '@sse'): void {
  const hostPath = registryUrl.replace(/^https?:/, '');
  writeFileSync(
    file,
    [
      `${scope}:registry=${registryUrl}`,
      `${hostPath}:_authToken=${token}`,
      'audit=false',
      'fund=false',
      'update-notifier=false',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
}

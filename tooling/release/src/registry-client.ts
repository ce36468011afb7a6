import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cleanEnv, mustRun } from './process.js';

/** The parts of a registry packument the checks read. */
export interface Packument {
  readonly name: string;
  readonly 'dist-tags': Readonly<Record<string, string>>;
  readonly versions: Readonly<
    Record<
      string,
      {
        readonly dependencies?: Readonly<Record<string, string>>;
        readonly peerDependencies?: Readonly<Record<string, string>>;
        readonly dist: { readonly tarball: string; readonly integrity?: string };
      }
    >
  >;
}

/**
 * Fetches a package's packument.
 *
 * @param registryUrl - Base URL with a trailing slash.
 * @param name - Package name (scoped names are encoded as npm does).
 * @returns The packument, or `undefined` when the registry does not have the package.
 * @throws Error on any answer other than 200 or 404.
 */
export async function fetchPackument(
  registryUrl: string,
  name: string,
): Promise<Packument | undefined> {
  const response = await fetch(`${registryUrl}${name.replace('/', '%2f')}`, {
    signal: AbortSignal.timeout(10_000),
  });
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`GET ${name} from ${registryUrl} answered ${response.status}`);
  return (await response.json()) as Packument;
}

/**
 * Downloads a tarball and unpacks it (its `package/` folder) into `dest`.
 *
 * @param tarballUrl - From the packument's `dist.tarball`.
 * @param dest - A new directory; the package's files end up in `dest/package`.
 * @returns The unpacked package directory.
 * @throws Error when the download or `tar` fails.
 */
export async function unpackTarball(tarballUrl: string, dest: string): Promise<string> {
  const response = await fetch(tarballUrl, { signal: AbortSignal.timeout(30_000) });
  if (!response.ok) throw new Error(`GET ${tarballUrl} answered ${response.status}`);
  mkdirSync(dest, { recursive: true });
  const file = path.join(dest, 'package.tgz');
  writeFileSync(file, Buffer.from(await response.arrayBuffer()));
  await mustRun('tar', ['-xzf', file, '-C', dest], { cwd: dest, env: cleanEnv() });
  return path.join(dest, 'package');
}

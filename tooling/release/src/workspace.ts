import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this package lives in `tooling/release`). */
export const ROOT: string = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The parts of a package.json the release checks read. */
export interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly private?: boolean;
  readonly files?: readonly string[];
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly devDependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
  readonly peerDependenciesMeta?: Readonly<Record<string, { optional?: boolean }>>;
  readonly scripts?: Readonly<Record<string, string>>;
}

/** One workspace package. */
export interface WorkspacePackage {
  /** Absolute directory. */
  readonly dir: string;
  /** Directory relative to the root, e.g. `packages/core`. */
  readonly relDir: string;
  readonly manifest: Manifest;
}

/**
 * Reads a package.json.
 *
 * @param file - Its path.
 * @returns The parsed manifest.
 */
export function readManifest(file: string): Manifest {
  return JSON.parse(readFileSync(file, 'utf8')) as Manifest;
}

/**
 * Every workspace package of a checkout (`packages/*`, `apps/*`, `tooling/*`, as
 * pnpm-workspace.yaml lists them), sorted by directory.
 *
 * @param root - The checkout's root.
 * @default root ROOT
 * @returns The packages found; groups that do not exist yet are skipped.
 */
export function workspacePackages(root: string = ROOT): WorkspacePackage[] {
  const found: WorkspacePackage[] = [];
  for (const group of ['packages', 'apps', 'tooling']) {
    const groupDir = path.join(root, group);
    if (!existsSync(groupDir)) continue;
    for (const name of readdirSync(groupDir).sort()) {
      const file = path.join(groupDir, name, 'package.json');
      if (!existsSync(file)) continue;
      found.push({
        dir: path.join(groupDir, name),
        relDir: `${group}/${name}`,
        manifest: readManifest(file),
      });
    }
  }
  return found;
}

/**
 * The packages changesets may publish: every non-private workspace package.
 *
 * @param root - The checkout's root.
 * @default root ROOT
 * @returns Them, sorted by directory.
 */
export function publicPackages(root: string = ROOT): WorkspacePackage[] {
  return workspacePackages(root).filter((entry) => entry.manifest.private !== true);
}

/**
 * The peers a user must install beside a package: its non-optional peerDependencies.
 *
 * @param manifest - The package's manifest.
 * @returns Peer names, sorted.
 */
export function requiredPeers(manifest: Manifest): string[] {
  return Object.keys(manifest.peerDependencies ?? {})
    .filter((name) => manifest.peerDependenciesMeta?.[name]?.optional !== true)
    .sort();
}

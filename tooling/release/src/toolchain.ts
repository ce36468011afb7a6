import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './workspace.js';

/**
 * The directory holding the `pnpm` executable: the repository's local copy under
 * `.cache/pnpm` (what setup.mjs installs when a global install is not allowed), else the
 * first one on PATH. `changeset publish` spawns `pnpm` by name, so this directory must lead
 * PATH for the commands run in the copy.
 *
 * @returns An absolute directory.
 * @throws Error when there is no pnpm at all.
 */
export function pnpmDir(): string {
  const local = path.join(ROOT, '.cache', 'pnpm', 'node_modules', '.bin');
  if (existsSync(path.join(local, 'pnpm'))) return local;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    try {
      accessSync(path.join(dir, 'pnpm'), constants.X_OK);
      return dir;
    } catch {
      // Not in this PATH entry: keep looking.
    }
  }
  throw new Error(
    'pnpm is not on PATH nor in .cache/pnpm: `changeset publish` spawns it; run `npm test` (it installs pnpm 10.34.9)',
  );
}

/**
 * PATH for child commands, with pnpm's directory first.
 *
 * @returns A PATH value.
 */
export function childPath(): string {
  return [pnpmDir(), process.env.PATH ?? ''].join(path.delimiter);
}

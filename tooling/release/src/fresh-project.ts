import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Starts an empty ESM project, the way a user's app starts.
 *
 * @param dir - An empty directory outside the workspace (so no workspace link can help).
 */
export function createProject(dir: string): void {
  writeFileSync(
    path.join(dir, 'package.json'),
    `${JSON.stringify({ name: 'sse-release-smoke', private: true, type: 'module' }, null, 2)}\n`,
  );
}

/**
 * Every package name installed in a project, at any depth (nested `node_modules` included),
 * so a forbidden dependency is found wherever npm placed it.
 *
 * @param projectDir - The project.
 * @returns Package names, sorted and unique.
 */
export function installedPackages(projectDir: string): string[] {
  const names = new Set<string>();
  const visit = (modulesDir: string): void => {
    if (!existsSync(modulesDir)) return;
    for (const entry of readdirSync(modulesDir)) {
      if (entry.startsWith('.')) continue;
      const scoped = entry.startsWith('@')
        ? readdirSync(path.join(modulesDir, entry)).map((inner) => `${entry}/${inner}`)
        : [entry];
      for (const name of scoped) {
        names.add(name);
        visit(path.join(modulesDir, name, 'node_modules'));
      }
    }
  };
  visit(path.join(projectDir, 'node_modules'));
  return [...names].sort();
}

/**
 * Where npm fetched each package of a scope from, per the project's package-lock.json.
 *
 * @param projectDir - The project.
 * @param scope - e.g. `@sse/`.
 * @returns Package name → tarball URL.
 */
export function resolvedUrls(projectDir: string, scope: string): Map<string, string> {
  const lock = JSON.parse(readFileSync(path.join(projectDir, 'package-lock.json'), 'utf8')) as {
    packages?: Record<string, { resolved?: string }>;
  };
  const urls = new Map<string, string>();
  for (const [key, entry] of Object.entries(lock.packages ?? {})) {
    const name = key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
    if (key && name.startsWith(scope) && entry.resolved) urls.set(name, entry.resolved);
  }
  return urls;
}

import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { cleanEnv, mustRun } from './process.js';
import { publicPackages } from './workspace.js';

/**
 * Copies a checkout the way a fresh clone after `pnpm build` would look: the files git knows
 * (tracked, plus new files not ignored, so uncommitted work is tested too) and each public
 * package's built `dist/`. Then makes the copy its own git repository with one commit, because
 * `changeset version` reads commit ids for the changelogs and `changeset publish` tags.
 *
 * @param root - The checkout to copy.
 * @param dest - An empty directory.
 * @throws Error when a public package has no `dist/` (run `pnpm build` first).
 */
export async function copyRepo(root: string, dest: string): Promise<void> {
  const missing = publicPackages(root).filter((entry) => !existsSync(path.join(entry.dir, 'dist')));
  if (missing.length > 0) {
    throw new Error(
      `no dist/ in ${missing.map((entry) => entry.relDir).join(', ')}: the release test publishes ` +
        'built packages; run `pnpm build` (npm test does it) first',
    );
  }
  const listed = execFileSync(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  )
    .split('\0')
    .filter(Boolean);
  for (const file of listed) {
    const from = path.join(root, file);
    // Tracked but deleted in the working tree: the copy mirrors the working tree.
    if (!existsSync(from) || lstatSync(from).isDirectory()) continue;
    const to = path.join(dest, file);
    mkdirSync(path.dirname(to), { recursive: true });
    cpSync(from, to);
  }
  for (const entry of publicPackages(root)) {
    cpSync(path.join(entry.dir, 'dist'), path.join(dest, entry.relDir, 'dist'), {
      recursive: true,
    });
  }
  const git = (args: string[]) =>
    mustRun(
      'git',
      ['-c', 'user.name=release-test', '-c', 'user.email=release-test@example.invalid', ...args],
      { cwd: dest, env: cleanEnv({ GIT_CONFIG_NOSYSTEM: '1' }), timeoutMs: 30_000 },
    );
  await git(['init', '--quiet', '--initial-branch=main']);
  await git(['add', '--all']);
  await git([
    '-c',
    'commit.gpgsign=false',
    'commit',
    '--quiet',
    '--message',
    'release-test snapshot',
  ]);
}

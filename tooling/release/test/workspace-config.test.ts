// Static release rules of the workspace: which packages are public, how changesets is
// configured, how internal dependencies are declared, and what each README tells users to
// install. Fast; no registry needed.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { installLine } from '../src/readme.js';
import { publicPackages, ROOT, requiredPeers, workspacePackages } from '../src/workspace.js';

const packages = workspacePackages();
const published = publicPackages();

describe('workspace release rules', () => {
  test('packages/* are public @sse/<dir> packages; apps/* and tooling/* are private', () => {
    expect(published.length).toBeGreaterThan(0);
    for (const { relDir, manifest } of packages) {
      if (relDir.startsWith('packages/')) {
        expect(manifest.private, `${relDir} is published`).not.toBe(true);
        expect(manifest.name).toBe(`@sse/${relDir.slice('packages/'.length)}`);
      } else {
        expect(manifest.private, `${relDir} (${manifest.name}) must be private`).toBe(true);
      }
    }
  });

  test('.changeset/config.json publishes publicly, versions no private package, updates internal ranges', () => {
    const config = JSON.parse(readFileSync(path.join(ROOT, '.changeset/config.json'), 'utf8'));
    expect(config).toMatchObject({
      access: 'public',
      baseBranch: 'main',
      commit: false,
      updateInternalDependencies: 'patch',
      privatePackages: { version: false, tag: false },
    });
    const names = published.map((entry) => entry.manifest.name);
    expect((config.ignore as string[]).filter((name) => names.includes(name))).toEqual([]);
  });

  test('root scripts: changeset, version-packages, release (gated on build + publint/attw)', () => {
    const { scripts } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(scripts.changeset).toBe('changeset');
    expect(scripts['version-packages']).toMatch(
      /^changeset version && pnpm install --lockfile-only/,
    );
    expect(scripts.release).toMatch(/turbo run build lint:package.* && changeset publish$/);
  });

  test.each(published.map((entry) => [entry.manifest.name, entry] as const))(
    '%s: @sse deps are regular workspace:^ dependencies, never peers; lint:package wired',
    (_name, { manifest }) => {
      for (const [dep, range] of Object.entries(manifest.dependencies ?? {})) {
        if (dep.startsWith('@sse/')) expect(range, dep).toBe('workspace:^');
      }
      const internalPeers = Object.keys(manifest.peerDependencies ?? {}).filter((d) =>
        d.startsWith('@sse/'),
      );
      expect(internalPeers, 'a peer on @sse/* makes changesets bump majors').toEqual([]);
      expect(manifest.scripts?.['lint:package']).toBe(
        'publint --strict && attw --pack . --profile node16',
      );
    },
  );

  test.each(published.map((entry) => [entry.manifest.name, entry] as const))(
    '%s: README install line names the package and exactly the peers it needs',
    (name, { dir, manifest }) => {
      const line = installLine(readFileSync(path.join(dir, 'README.md'), 'utf8'));
      expect(line, 'an `npm i …` line in a sh block').toBeDefined();
      const named = new Set(line!.packages);
      expect(named.has(name), `installs ${name}`).toBe(true);
      const optional = Object.keys(manifest.peerDependenciesMeta ?? {});
      for (const peer of requiredPeers(manifest))
        expect(named.has(peer), `names ${peer}`).toBe(true);
      // @sse/core may stand beside any package (apps import createHub from it directly).
      const allowed = new Set([name, '@sse/core', ...requiredPeers(manifest), ...optional]);
      expect(
        [...named].filter((pkg) => !allowed.has(pkg)),
        'names nothing it does not need',
      ).toEqual([]);
    },
  );
});

// End to end: the repository as a fresh clone would have it is versioned and published with
// the real changesets CLI to a throwaway Verdaccio, then installed from there into projects
// outside the workspace, which run a server and a client on the published code.
//
// The steps share one registry and run in order; a later step reports "publish failed
// above" instead of a confusing error of its own when an earlier one broke.
import { randomBytes } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  COMBINATIONS,
  forbiddenFound,
  pinnedPeer,
  planCombination,
  specName,
} from '../src/combinations.js';
import { createProject, installedPackages, resolvedUrls } from '../src/fresh-project.js';
import { cleanEnv, mustRun } from '../src/process.js';
import { addUser, type LocalRegistry, startRegistry, writeNpmrc } from '../src/registry.js';
import { fetchPackument, unpackTarball } from '../src/registry-client.js';
import { copyRepo } from '../src/repo-copy.js';
import { listFiles, tarballProblems } from '../src/tarball-rules.js';
import { childPath } from '../src/toolchain.js';
import { publicPackages, ROOT, requiredPeers, workspacePackages } from '../src/workspace.js';

const FIXTURES = path.join(import.meta.dirname, 'fixtures');
const available = new Map(publicPackages().map((entry) => [entry.manifest.name, entry.manifest]));
const privateNames = workspacePackages()
  .filter((entry) => entry.manifest.private === true)
  .map((entry) => entry.manifest.name);

const work = mkdtempSync(path.join(os.tmpdir(), 'sse-release-'));
const copyDir = path.join(work, 'repo');
const npmrc = path.join(work, 'npmrc');
let registry: LocalRegistry | undefined;
let token = '';
/** Name → version, filled by the version step; empty means it failed. */
const released = new Map<string, string>();
/** Set once `changeset publish` succeeded. */
let published = false;

function registryUrl(): string {
  if (!registry) throw new Error('the local registry did not start (see beforeAll)');
  return registry.url;
}

function readIfExists(file: string): string | undefined {
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

/** Package names in the frontmatter of the pending changesets. */
function changesetPackages(dir: string): Set<string> {
  const names = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.md') && f !== 'README.md')) {
    const front = /^---\n([\s\S]*?)\n---/.exec(readFileSync(path.join(dir, file), 'utf8'))?.[1];
    for (const match of (front ?? '').matchAll(/^["']?([^"':]+)["']?\s*:/gm)) names.add(match[1]!);
  }
  return names;
}

/**
 * A new project outside the workspace with `specs` installed by npm: `@sse/*` from the local
 * registry (checked in package-lock.json), everything else from the public registry.
 */
async function installFresh(prefix: string, specs: readonly string[]): Promise<string> {
  // Under the run's temp dir, which is outside the workspace: no workspace link can help.
  const project = mkdtempSync(path.join(work, prefix));
  expect(path.relative(ROOT, project).startsWith('..'), 'outside the workspace').toBe(true);
  createProject(project);
  await mustRun('npm', ['install', '--no-audit', '--no-fund', ...specs], {
    cwd: project,
    env: registryEnv({ npm_config_cache: path.join(work, 'npm-cache') }),
    timeoutMs: 150_000,
  });
  const installed = installedPackages(project);
  for (const spec of specs) {
    expect(installed, `${specName(spec)} installed`).toContain(specName(spec));
  }
  for (const [name, url] of resolvedUrls(project, '@sse/')) {
    expect(url.startsWith(registryUrl()), `${name} came from the local registry`).toBe(true);
  }
  return project;
}

/** Every package loads through require() and import() in the project, with the same exports. */
async function expectLoads(project: string, names: readonly string[]): Promise<void> {
  copyFileSync(path.join(FIXTURES, 'require-all.cjs'), path.join(project, 'require-all.cjs'));
  const loaded = await mustRun('node', ['require-all.cjs', ...names], {
    cwd: project,
    env: cleanEnv(),
    timeoutMs: 30_000,
  });
  expect(Object.keys(JSON.parse(loaded.stdout) as object).sort()).toEqual([...names].sort());
}

function requireVersioned(): void {
  if (released.size === 0) throw new Error('not checked: pnpm version-packages failed above');
}

function requirePublished(): void {
  if (!published) throw new Error('not checked: changeset publish failed above');
}

/** The environment for commands that talk to the local registry. */
function registryEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return cleanEnv({ PATH: childPath(), NPM_CONFIG_USERCONFIG: npmrc, ...extra });
}

beforeAll(async () => {
  mkdirSync(path.join(work, 'registry'));
  registry = await startRegistry(path.join(work, 'registry'));
  token = await addUser(registry.url, `release-test-${randomBytes(4).toString('hex')}`);
  writeNpmrc(npmrc, registry.url, token);
});

afterAll(async () => {
  await registry?.stop();
  if (process.env.SSE_RELEASE_KEEP) console.log(`release test files kept in ${work}`);
  else rmSync(work, { recursive: true, force: true });
});

describe('changesets release to a local registry', () => {
  test('pnpm version-packages bumps the packages the changesets name, writes changelogs, leaves private ones alone', async () => {
    mkdirSync(copyDir);
    await copyRepo(ROOT, copyDir);
    const env = cleanEnv({ PATH: childPath() });
    await mustRun(
      'pnpm',
      ['install', '--prefer-offline', '--frozen-lockfile', '--ignore-scripts', '--reporter=silent'],
      { cwd: copyDir, env, timeoutMs: 120_000 },
    );
    const changesetDir = path.join(copyDir, '.changeset');
    const pending = readdirSync(changesetDir).filter((f) => f.endsWith('.md') && f !== 'README.md');
    if (pending.length === 0) {
      // Nothing pending (just after a release): a patch for every public package.
      const lines = [...available.keys()].map((name) => `"${name}": patch`);
      writeFileSync(
        path.join(changesetDir, 'release-test.md'),
        `---\n${lines.join('\n')}\n---\n\nRelease test.\n`,
      );
    }
    const named = changesetPackages(changesetDir);
    expect(named.size, 'packages named by the pending changesets').toBeGreaterThan(0);
    const before = new Map(
      workspacePackages(copyDir).map((e) => [
        e.manifest.name,
        { version: e.manifest.version, changelog: readIfExists(path.join(e.dir, 'CHANGELOG.md')) },
      ]),
    );
    // The root script as CI's release PR runs it: `changeset version`, then the lockfile.
    await mustRun('pnpm', ['run', 'version-packages'], { cwd: copyDir, env, timeoutMs: 120_000 });

    for (const entry of workspacePackages(copyDir)) {
      const { name, version } = entry.manifest;
      const changelog = readIfExists(path.join(entry.dir, 'CHANGELOG.md'));
      if (entry.manifest.private === true) {
        expect(version, `${name} is private: never versioned`).toBe(before.get(name)?.version);
        expect(changelog, `${name} is private: changelog untouched`).toBe(
          before.get(name)?.changelog,
        );
        continue;
      }
      // Every package a changeset names is bumped; others may be (as dependents), and all are
      // published below because the registry is empty.
      if (named.has(name)) {
        expect(version, `${name} got a new version`).not.toBe(before.get(name)?.version);
      }
      if (version !== before.get(name)?.version) {
        expect(changelog, `${name}'s CHANGELOG.md`).toContain(`## ${version}`);
      }
      // Internal ranges stay `workspace:^`; pnpm publish turns them into ^<version>.
      for (const [dep, range] of Object.entries(entry.manifest.dependencies ?? {})) {
        if (dep.startsWith('@sse/')) expect(range, `${name} → ${dep}`).toBe('workspace:^');
      }
      released.set(name, version);
    }
    expect(readdirSync(changesetDir).filter((f) => f.endsWith('.md'))).toEqual(['README.md']);
  });

  test('changeset publish puts exactly the public packages on the local registry', async () => {
    requireVersioned();
    const url = registryUrl();
    const result = await mustRun('pnpm', ['exec', 'changeset', 'publish'], {
      cwd: copyDir,
      // The scoped registry is in the temporary npmrc; npm_config_registry also points
      // changesets' own `npm info` look-ups there.
      env: registryEnv({ npm_config_registry: url }),
      timeoutMs: 120_000,
    });
    expect(`${result.stdout}${result.stderr}`).toContain('packages published successfully');

    const stored = readdirSync(path.join(registry!.storageDir, '@sse')).map((d) => `@sse/${d}`);
    expect(stored.sort()).toEqual([...released.keys()].sort());
    for (const [name, version] of released) {
      const packument = await fetchPackument(url, name);
      expect(packument?.['dist-tags'].latest, `${name} latest on the local registry`).toBe(version);
    }
    for (const name of privateNames) {
      expect(await fetchPackument(url, name), `${name} is private`).toBeUndefined();
    }

    // Publishing again (a re-run of the release job) publishes nothing and does not fail.
    const again = await mustRun('pnpm', ['exec', 'changeset', 'publish'], {
      cwd: copyDir,
      env: registryEnv({ npm_config_registry: url }),
      timeoutMs: 60_000,
    });
    expect(`${again.stdout}${again.stderr}`).toContain('No unpublished projects to publish');
    published = true;
  });

  test('published tarballs hold only dist/**, package.json, README.md, LICENSE (and WIRE.md for core)', async () => {
    requirePublished();
    const problems: string[] = [];
    for (const [name, version] of released) {
      const packument = await fetchPackument(registryUrl(), name);
      const meta = packument?.versions[version];
      if (!meta) throw new Error(`${name}@${version} is not on the local registry`);
      const dir = await unpackTarball(meta.dist.tarball, path.join(work, 'tarballs', name));
      const files = listFiles(dir);
      expect(files, `${name} ships its README`).toContain('README.md');
      expect(files, `${name} ships its LICENSE`).toContain('LICENSE');
      expect(
        files.some((f) => f.startsWith('dist/')),
        `${name} ships dist/`,
      ).toBe(true);
      problems.push(...tarballProblems(name, dir, [token]).map((p) => `${name}: ${p}`));

      // npm would pack the very same files (someone may publish with npm one day).
      const entry = publicPackages(copyDir).find((e) => e.manifest.name === name)!;
      const packed = await mustRun('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
        cwd: entry.dir,
        env: registryEnv(),
      });
      const [report] = JSON.parse(packed.stdout) as [{ files: { path: string }[] }];
      expect(report.files.map((f) => f.path).sort(), `npm pack file list of ${name}`).toEqual(
        files,
      );
    }
    expect(problems).toEqual([]);
  });

  test('published manifests depend on the released @sse/core with a caret range, never as a peer', async () => {
    requirePublished();
    const coreVersion = released.get('@sse/core');
    expect(coreVersion, '@sse/core was released').toBeDefined();
    for (const [name, version] of released) {
      if (name === '@sse/core') continue;
      const meta = (await fetchPackument(registryUrl(), name))?.versions[version];
      const internal = Object.entries(meta?.dependencies ?? {}).filter(([d]) =>
        d.startsWith('@sse/'),
      );
      for (const [dep, range] of internal) {
        expect(range, `${name} → ${dep}`).toBe(`^${released.get(dep)}`);
      }
      expect(
        Object.keys(meta?.peerDependencies ?? {}).filter((d) => d.startsWith('@sse/')),
        `${name} peer-depends on no @sse package (changesets would bump it major)`,
      ).toEqual([]);
    }
  });
});

describe('installing the published packages in a fresh project', () => {
  for (const combination of COMBINATIONS) {
    const plan = planCombination(combination, available);
    if (plan.missing.length > 0) {
      test.todo(
        `${combination.label}: ${plan.missing.join(', ')} not in this checkout yet, ` +
          `so the run below uses ${plan.server} + the ${plan.bus} bus`,
      );
    }
    test(`${combination.label}: npm install ${plan.install.join(' ')}; GET the stream, receive one message`, async () => {
      requirePublished();
      const project = await installFresh(`smoke-${combination.framework}-`, plan.install);
      expect(
        forbiddenFound(combination, plan, installedPackages(project)),
        'must not be installed',
      ).toEqual([]);

      copyFileSync(path.join(FIXTURES, 'smoke-server.mjs'), path.join(project, 'smoke.mjs'));
      const smoke = await mustRun('node', ['smoke.mjs'], {
        cwd: project,
        env: cleanEnv({
          SMOKE_SERVER: plan.server,
          SMOKE_BUS: plan.bus,
          SMOKE_CHANNEL: `releasesmoke${randomBytes(6).toString('hex')}`,
        }),
        timeoutMs: 30_000,
      });
      const outcome = JSON.parse(smoke.stdout.trim().split('\n').at(-1) ?? '{}') as object;
      expect(outcome).toMatchObject({ ok: true, server: plan.server, bus: plan.bus });
      console.info(`${combination.label}: ${smoke.stdout.trim()}`);
      await expectLoads(project, plan.present);
    });
  }

  // Packages outside both stacks (the client, other buses): each alone, with its peers.
  const covered = new Set(COMBINATIONS.flatMap((c) => planCombination(c, available).present));
  const others = [...available.values()].filter((manifest) => !covered.has(manifest.name));
  test.skipIf(others.length === 0)(
    `every other package installs alone with its peers and loads: ${others.map((m) => m.name).join(', ') || 'none'}`,
    async () => {
      requirePublished();
      for (const manifest of others) {
        const specs = [
          manifest.name,
          ...requiredPeers(manifest).map((peer) => pinnedPeer(manifest, peer)),
        ];
        const project = await installFresh('alone-', specs);
        const strangers = installedPackages(project).filter(
          (name) => name.startsWith('@sse/') && name !== manifest.name && name !== '@sse/core',
        );
        expect(strangers, `${manifest.name} pulls in no other @sse package`).toEqual([]);
        await expectLoads(project, [manifest.name]);
      }
    },
  );
});

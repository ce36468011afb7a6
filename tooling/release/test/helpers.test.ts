// The release test's own rules, on made-up inputs, so each is seen to fail when it should.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { COMBINATIONS, forbiddenFound, planCombination } from '../src/combinations.js';
import { installedPackages } from '../src/fresh-project.js';
import { installLine } from '../src/readme.js';
import { tarballProblems } from '../src/tarball-rules.js';
import type { Manifest } from '../src/workspace.js';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'sse-release-helpers-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function write(dir: string, files: Record<string, string>): string {
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

const manifest = (name: string, extra: Partial<Manifest> = {}): Manifest => ({
  name,
  version: '0.0.0',
  ...extra,
});
const [expressRedis, koaNats] = COMBINATIONS as [
  (typeof COMBINATIONS)[number],
  (typeof COMBINATIONS)[number],
];

describe('planCombination / forbiddenFound', () => {
  test('a full stack installs the packages and their pinned peers', () => {
    const available = new Map([
      ['@sse/core', manifest('@sse/core')],
      ['@sse/express', manifest('@sse/express', { devDependencies: { express: '5.3.0' } })],
      ['@sse/bus-redis', manifest('@sse/bus-redis', { peerDependencies: { ioredis: '^6.0.0' } })],
    ]);
    const plan = planCombination(expressRedis, available);
    expect(plan).toMatchObject({ server: 'express', bus: 'redis', missing: [] });
    expect(plan.install).toEqual([
      '@sse/core',
      '@sse/express',
      '@sse/bus-redis',
      'express@5.3.0',
      'ioredis@^6.0.0',
    ]);
  });

  test('missing packages fall back to node:http and the in-process bus', () => {
    const plan = planCombination(koaNats, new Map([['@sse/core', manifest('@sse/core')]]));
    expect(plan).toMatchObject({ server: 'http', bus: 'memory', install: ['@sse/core'] });
    expect(plan.missing).toEqual(['@sse/koa', '@sse/bus-nats']);
  });

  test('finds forbidden names, scopes and unrequested @sse packages', () => {
    const plan = planCombination(expressRedis, new Map([['@sse/core', manifest('@sse/core')]]));
    const installed = ['@nats-io/nkeys', '@sse/bus-kafka', '@sse/core', 'express', 'kafkajs'];
    expect(forbiddenFound(expressRedis, plan, installed)).toEqual([
      '@nats-io/nkeys',
      '@sse/bus-kafka',
      'kafkajs',
    ]);
    expect(forbiddenFound(koaNats, plan, ['express', 'koa'])).toEqual(['express']);
  });
});

describe('installedPackages', () => {
  test('sees nested and scoped packages', () => {
    const project = write(path.join(scratch, 'project'), {
      'node_modules/a/package.json': '{}',
      'node_modules/a/node_modules/kafkajs/package.json': '{}',
      'node_modules/@nats-io/jetstream/package.json': '{}',
      'node_modules/.package-lock.json': '{}',
    });
    expect(installedPackages(project)).toEqual(['@nats-io/jetstream', 'a', 'kafkajs']);
  });
});

describe('tarballProblems', () => {
  const pkg = (name: string, files: Record<string, string>) =>
    write(path.join(scratch, name), {
      'package.json': JSON.stringify({ name: '@sse/x', exports: { '.': './dist/index.mjs' } }),
      'README.md': '# x',
      LICENSE: 'MIT',
      ...files,
    });

  test('a clean package has none', () => {
    const dir = pkg('clean', {
      'dist/index.mjs': 'export {};\n//# sourceMappingURL=index.mjs.map\n',
      'dist/index.mjs.map': JSON.stringify({ version: 3, sources: ['index.ts'], mappings: '' }),
    });
    expect(tarballProblems('@sse/x', dir, ['secret-token'])).toEqual([]);
  });

  test('flags extra files, tests, secrets, escaping maps and missing entry points', () => {
    const dir = pkg('dirty', {
      'WIRE.md': 'only core may ship this',
      'dist/a.test.mjs': '',
      'dist/.env': 'X=1',
      'dist/b.mjs': 'const t = "secret-token";\n//# sourceMappingURL=gone.map\n',
      'dist/b.mjs.map': JSON.stringify({ version: 3, sources: ['../../src/b.ts'], mappings: '' }),
    });
    const problems = tarballProblems('@sse/x', dir, ['secret-token']).join('\n');
    expect(problems).toContain('WIRE.md: not dist/**');
    expect(problems).toContain('dist/a.test.mjs: a test or source file');
    expect(problems).toContain('dist/.env: a secret-bearing file name');
    expect(problems).toContain("dist/b.mjs: contains this run's token");
    expect(problems).toContain('dist/b.mjs: sourceMappingURL gone.map is not shipped');
    expect(problems).toContain('source ../../src/b.ts points outside the package');
    expect(problems).toContain('./dist/index.mjs, which is not in the tarball');
    expect(tarballProblems('@sse/core', dir, []).join('\n')).not.toContain('WIRE.md');
  });
});

describe('installLine', () => {
  test('reads the first npm install line of a sh block, without versions or flags', () => {
    const readme =
      '# x\n\n```js\nnpm i nope\n```\n\n```sh\n$ npm i -S @sse/core @sse/koa koa@3\n```\n';
    expect(installLine(readme)?.packages).toEqual(['@sse/core', '@sse/koa', 'koa']);
    expect(installLine('no install here')).toBeUndefined();
  });
});

import type { Manifest } from './workspace.js';

/** A stack a user would install together, and what must not come with it. */
export interface Combination {
  /** For test titles, e.g. `Express + Redis`. */
  readonly label: string;
  /** The web framework binding, in `@sse/<framework>`. */
  readonly framework: 'express' | 'koa';
  /** The bus, in `@sse/bus-<bus>`. */
  readonly bus: 'redis' | 'nats';
  /** Third-party packages the user installs for each `@sse` package (its peers). */
  readonly peersOf: Readonly<Record<string, readonly string[]>>;
  /** Package names (or `scope/*`) that must not be anywhere in node_modules. */
  readonly forbidden: readonly string[];
}

/** The two stacks the design promises install without each other's baggage. */
export const COMBINATIONS: readonly Combination[] = [
  {
    label: 'Express + Redis',
    framework: 'express',
    bus: 'redis',
    peersOf: { '@sse/express': ['express'], '@sse/bus-redis': ['ioredis'] },
    forbidden: ['kafkajs', 'nats', '@nats-io/*', 'koa', '@koa/*'],
  },
  {
    label: 'Koa + NATS',
    framework: 'koa',
    bus: 'nats',
    peersOf: {
      '@sse/koa': ['koa'],
      '@sse/bus-nats': ['@nats-io/transport-node', '@nats-io/jetstream'],
    },
    forbidden: ['express', 'ioredis', 'kafkajs'],
  },
];

/** What one run of a combination installs and runs, given the packages that exist. */
export interface CombinationPlan {
  /** `npm install` arguments: `@sse` names, then pinned third-party specs. */
  readonly install: readonly string[];
  /** `@sse` packages of the combination that exist in this checkout. */
  readonly present: readonly string[];
  /** `@sse` packages of the combination not in this checkout yet. */
  readonly missing: readonly string[];
  /** The server the smoke script builds: the binding, or plain `node:http` without it. */
  readonly server: 'express' | 'koa' | 'http';
  /** The bus the smoke script uses: the broker's, or the in-process bus without it. */
  readonly bus: 'redis' | 'nats' | 'memory';
}

/**
 * Plans a combination with the packages that exist: a missing binding falls back to
 * `node:http` + `hub.handle`, a missing bus to the in-process bus, and their peers are not
 * installed. Third-party versions are pinned to what the `@sse` package is tested with (its
 * devDependency), else its peer range.
 *
 * @param combination - The stack.
 * @param available - Public workspace packages by name.
 * @returns The plan.
 */
export function planCombination(
  combination: Combination,
  available: ReadonlyMap<string, Manifest>,
): CombinationPlan {
  const wanted = ['@sse/core', `@sse/${combination.framework}`, `@sse/bus-${combination.bus}`];
  const present = wanted.filter((name) => available.has(name));
  const missing = wanted.filter((name) => !available.has(name));
  const pins: string[] = [];
  for (const name of present) {
    const manifest = available.get(name)!;
    for (const peer of combination.peersOf[name] ?? []) pins.push(pinnedPeer(manifest, peer));
  }
  return {
    install: [...present, ...pins],
    present,
    missing,
    server: present.includes(`@sse/${combination.framework}`) ? combination.framework : 'http',
    bus: present.includes(`@sse/bus-${combination.bus}`) ? combination.bus : 'memory',
  };
}

/**
 * The package name of an `npm install` spec.
 *
 * @param spec - e.g. `@nats-io/jetstream@3.3.1` or `koa`.
 * @returns e.g. `@nats-io/jetstream`.
 */
export function specName(spec: string): string {
  // The first `@` of a scoped name is not a version separator.
  return spec.replace(/(.)@.*$/, '$1');
}

/**
 * An `npm install` spec for a package's peer: the version the package is tested with (its
 * devDependency), else its peer range, else the bare name.
 *
 * @param manifest - The package that needs the peer.
 * @param peer - The peer's name.
 * @returns e.g. `ioredis@6.0.0`.
 */
export function pinnedPeer(manifest: Manifest, peer: string): string {
  const version = manifest.devDependencies?.[peer] ?? manifest.peerDependencies?.[peer];
  return version ? `${peer}@${version}` : peer;
}

/**
 * The installed packages a combination forbids, including `@sse` packages it did not ask for.
 *
 * @param combination - The stack.
 * @param plan - What was installed on purpose.
 * @param installed - Every package name in node_modules.
 * @returns The offenders, sorted.
 */
export function forbiddenFound(
  combination: Combination,
  plan: CombinationPlan,
  installed: readonly string[],
): string[] {
  return installed
    .filter(
      (name) =>
        combination.forbidden.some((rule) =>
          rule.endsWith('/*') ? name.startsWith(rule.slice(0, -1)) : name === rule,
        ) ||
        (name.startsWith('@sse/') && !plan.present.includes(name)),
    )
    .sort();
}

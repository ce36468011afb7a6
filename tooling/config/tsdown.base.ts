import { defineConfig, type UserConfig } from 'tsdown';

/**
 * The build every published package shares: ESM + CJS with per-format declarations
 * (`.d.mts` / `.d.cts`), for Node 20, no source maps (they would point outside the tarball).
 * @param entry - entry points, e.g. `{ index: 'src/index.ts' }`.
 * @param overrides - anything package-specific (`platform: 'neutral'` for browser code).
 */
export function packageBuild(
  entry: Record<string, string>,
  overrides: UserConfig = {},
): UserConfig {
  return defineConfig({
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    platform: 'node',
    target: 'node20',
    sourcemap: false,
    clean: true,
    ...overrides,
  }) as UserConfig;
}

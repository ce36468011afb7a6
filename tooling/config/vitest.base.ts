import { defineConfig, type ViteUserConfig } from 'vitest/config';

/**
 * The test setup every package shares: colocated `src/**\/*.test.ts` and `test/**`, never the
 * build output (compiled tests would run twice), generous deadlines for real brokers.
 */
export function packageTests(overrides: ViteUserConfig['test'] = {}): ViteUserConfig {
  return defineConfig({
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      exclude: ['dist/**', 'node_modules/**'],
      testTimeout: 20_000,
      hookTimeout: 20_000,
      ...overrides,
    },
  });
}

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['dist/**', 'node_modules/**', 'test/fixtures/**'],
    // One end-to-end run: registry, version, publish, two installs. Each step has its own
    // deadline inside; these are only the outer bounds.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // The steps share one registry and one published set, in order.
    sequence: { concurrent: false },
  },
});

import { defineConfig } from 'vitest/config';

// Tests of the harness's own code (report rendering) and one smoke run of a few seconds
// that proves the harness works; the full benchmarks never run here.
export default defineConfig({
  test: {
    include: ['src/**/*.test.mjs', 'src/**/*.test.ts'],
    exclude: ['dist/**', 'node_modules/**'],
  },
});

import { defineConfig } from 'vitest/config';

// Unit tests of the harness's own code (report rendering); the benchmarks themselves are
// not tests and never run here.
export default defineConfig({
  test: {
    include: ['src/**/*.test.mjs', 'src/**/*.test.ts'],
    exclude: ['dist/**', 'node_modules/**'],
  },
});

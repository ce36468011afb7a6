import { defineConfig } from 'tsdown';

export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  platform: 'node',
  target: 'node20',
  sourcemap: false,
  clean: true,
  // The driver is the user's: never bundle it.
  external: ['ioredis', '@sse/core'],
});

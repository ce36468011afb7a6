import { defineConfig } from 'tsdown';

// `neutral`: the same output runs in browsers, Node, Deno and workers. The source's tsconfig
// has no Node types, so a Node-only import fails the typecheck before it reaches the build.
export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  platform: 'neutral',
  target: 'es2022',
  sourcemap: false,
  clean: true,
  // neutral would emit .js; the exports map names .mjs/.d.mts and .cjs/.d.cts.
  fixedExtension: true,
});

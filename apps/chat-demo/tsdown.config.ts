import { defineConfig } from 'tsdown';

// An application, not a library: ESM only, no declarations, `dist/server.js` as the brief's
// start command expects. Dependencies stay external (resolved from node_modules at run time).
export default defineConfig({
  entry: { server: 'src/server.ts', 'cluster-proxy': 'src/cluster-proxy.ts' },
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  fixedExtension: false,
  dts: false,
  sourcemap: true,
  clean: true,
});

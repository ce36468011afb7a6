import { packageBuild } from '../../tooling/config/tsdown.base.ts';

// `neutral`: the same output runs in browsers, Node, Deno and workers. The source's tsconfig
// has no Node types, so a Node-only import fails the typecheck before it reaches the build.
// `fixedExtension`: neutral would emit `.js`; the exports map names `.mjs`/`.cjs`.
export default packageBuild(
  { index: 'src/index.ts' },
  { platform: 'neutral', target: 'es2022', fixedExtension: true },
);

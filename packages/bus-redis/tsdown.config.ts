import { packageBuild } from '../../tooling/config/tsdown.base.ts';

// ioredis is the user's (peer) and @sse/core a dependency: tsdown leaves both external.
export default packageBuild({ index: 'src/index.ts' });

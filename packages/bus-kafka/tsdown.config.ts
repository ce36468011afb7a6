import { packageBuild } from '../../tooling/config/tsdown.base.ts';

export default packageBuild({ index: 'src/index.ts' }, { external: ['kafkajs', '@sse/core'] });

import { packageBuild } from '../../tooling/config/tsdown.base.ts';

export default packageBuild({ index: 'src/index.ts', 'testing/index': 'src/testing/index.ts' });

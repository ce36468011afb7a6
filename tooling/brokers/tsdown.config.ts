import { packageBuild } from '../config/tsdown.base.ts';

// Private and imported only by ESM tests and tooling: one format is enough.
export default packageBuild({ index: 'src/index.ts', cli: 'src/cli.ts' }, { format: ['esm'] });

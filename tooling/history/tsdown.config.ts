import { packageBuild } from '../config/tsdown.base.ts';

// Private and imported only by ESM tests and tooling: one format is enough.
export default packageBuild({ index: 'src/index.ts' }, { format: ['esm'] });

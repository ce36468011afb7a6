import { packageTests } from '../config/vitest.base.ts';

// Each file starts real servers: one file at a time, so they never compete for the two cores.
export default packageTests({ hookTimeout: 60_000, fileParallelism: false });

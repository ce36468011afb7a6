import { packageTests } from '../config/vitest.base.ts';

// Fault tests start processes and brokers: give them room, and run files one at a time so
// they do not compete for the two cores.
export default packageTests({ testTimeout: 60_000, hookTimeout: 60_000, fileParallelism: false });

import { packageTests } from '../../tooling/config/vitest.base.ts';

// Browser and multi-process tests share the 2-core machine: run files one at a time.
export default packageTests({ fileParallelism: false, testTimeout: 30_000, hookTimeout: 30_000 });

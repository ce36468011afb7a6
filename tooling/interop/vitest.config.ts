import { packageTests } from '../config/vitest.base.ts';

// Chromium takes a while to launch on a busy 2-core machine; the files share it one at a time.
export default packageTests({ hookTimeout: 30_000, fileParallelism: false });

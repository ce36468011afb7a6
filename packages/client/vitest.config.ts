import { packageTests } from '../../tooling/config/vitest.base.ts';

// Launching Chromium takes longer than a broker connection on a busy 2-core machine.
export default packageTests({ hookTimeout: 30_000 });

import { packageTests } from '../../tooling/config/vitest.base.ts';

// Each file starts its own private broker (unless KAFKA_BROKERS is set): run them one at
// a time so two JVMs never compete for the two cores.
export default packageTests({ testTimeout: 60_000, hookTimeout: 120_000, fileParallelism: false });

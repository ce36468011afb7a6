import { packageTests } from '../config/vitest.base.ts';

// One end-to-end run (registry, version, publish, two installs) whose steps share state and run
// in file order. Each step has its own deadline inside; these are only the outer bounds.
export default packageTests({
  include: ['test/**/*.test.ts'],
  testTimeout: 150_000,
  hookTimeout: 60_000,
});

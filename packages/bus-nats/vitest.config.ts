import { packageTests } from '../../tooling/config/vitest.base.ts';

export default packageTests();

import { packageTests } from '../config/vitest.base.ts';

export default packageTests();

import { packageBuild } from '../../tooling/config/tsdown.base.ts';

export default packageBuild(
  { index: 'src/index.ts' },
  {
    external: ['@nats-io/transport-node', '@nats-io/jetstream', '@nats-io/nats-core', '@sse/core'],
  },
);

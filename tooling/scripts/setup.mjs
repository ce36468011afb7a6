// One-time (and idempotent) setup for a fresh clone: checks Node, installs pnpm if needed,
// installs the workspace and builds every package. Called by `npm test` and `npm run demo`.
import { ensurePnpm, fail, log, runOrFail } from './lib.mjs';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 11))
  fail(`Node >= 20.11 is required, found ${process.version}`);

const pnpm = await ensurePnpm();
log('installing dependencies');
const ci = process.env.CI === 'true' || process.env.CI === '1';
await runOrFail(pnpm, [
  'install',
  ci ? '--frozen-lockfile' : '--prefer-offline',
  '--reporter=append-only',
]);
log('building packages');
await runOrFail(pnpm, ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only']);
log('setup done');

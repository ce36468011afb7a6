// Starts the demo: apps/chat-demo on the in-process bus (no broker), or, while that app
// does not exist, the minimal example server of @sse/core. Assumes setup.mjs ran.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fail, log, pnpmCommand, ROOT, run } from './lib.mjs';

const pnpm = pnpmCommand() ?? fail('pnpm is missing: run `npm run demo`, which sets it up');
const env = {
  BUS: process.env.BUS ?? 'memory',
  PORT: process.env.PORT ?? '3000',
  HOST: process.env.HOST ?? '127.0.0.1',
};
if (existsSync(path.join(ROOT, 'apps', 'chat-demo', 'package.json'))) {
  log(`chat demo on http://${env.HOST}:${env.PORT} (BUS=${env.BUS}); Ctrl+C to stop`);
  process.exit(await run(pnpm, ['--filter', 'chat-demo', 'start'], { env }));
}
log(`example server on http://${env.HOST}:${env.PORT}; Ctrl+C to stop`);
process.exit(
  await run(
    process.execPath,
    [path.join(ROOT, 'packages', 'core', 'examples', 'basic-server.mjs')],
    { env },
  ),
);

// The measured side of an instruction count: a hub of the given @sse/core build behind
// node:http, N streams from a load process, then B rounds of M broadcasts (in one turn, or
// one per turn with "tick"), each round waited for until every stream got it.
//   node server.mjs <path to dist/index.mjs> [N] [B] [M] [burst|tick]
import { fork } from 'node:child_process';
import http from 'node:http';
import { pathToFileURL } from 'node:url';

const [file, n = '200', rounds = '20', perRound = '100', mode = 'burst'] = process.argv.slice(2);
const { createHub } = await import(pathToFileURL(file).href);
const hub = createHub({ keepAliveMs: 600_000 });
await hub.ready();
const server = http.createServer((req, res) => void hub.handle(req, res));
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const load = fork(new URL('./load.mjs', import.meta.url), [String(server.address().port), n]);
const framesSoFar = () =>
  new Promise((resolve) => {
    load.once('message', (message) => resolve(message.frames));
    load.send('?');
  });
// Bounded: a build that never delivers fails here instead of hanging the count.
const until = async (condition, what) => {
  const deadline = Date.now() + 600_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};
await until(() => hub.stats().connections === Number(n), 'every stream open');
// Every stream's first frames (retry, its position) arrived: they are not counted.
await until(async () => (await framesSoFar()) >= 2 * Number(n), 'the first frames');
const base = await framesSoFar();
const payload = 'x'.repeat(100);
for (let round = 0; round < Number(rounds); round++) {
  for (let i = 0; i < Number(perRound); i++) {
    void hub.publish({ data: payload });
    if (mode === 'tick') await new Promise((resolve) => setImmediate(resolve));
  }
  const wanted = base + (round + 1) * Number(perRound) * Number(n);
  await until(async () => (await framesSoFar()) >= wanted, `round ${round + 1}`);
}
console.log(`deliveries ${(await framesSoFar()) - base}`);
load.disconnect();
server.closeAllConnections();
server.close();
await hub.shutdown({ announce: false, graceMs: 0 });

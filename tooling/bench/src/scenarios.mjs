// Figures 4 (reconnect storm) and 5 (slow consumers) from the command line; prints each
// figure's result object as JSON.
//   node src/scenarios.mjs storm [--n 5000] [--behind 1000] [--size 128] [--every 100] [--smoke]
//   node src/scenarios.mjs slow [--n 5000] [--slow 0.1] [--size 128] [--rounds 1] [--floor] [--smoke]
import { runReconnectStorm } from './figures/reconnect-storm.mjs';
import { runSlowConsumers } from './figures/slow-consumers.mjs';

const [figure, ...args] = process.argv.slice(2);
const arg = (name) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? undefined : Number(args[i + 1]);
};
const log = (line) => console.error(line);
const smoke = args.includes('--smoke');
let result;
if (figure === 'storm') {
  result = await runReconnectStorm({
    n: arg('n'),
    behind: arg('behind'),
    size: arg('size'),
    every: arg('every'),
    smoke,
    log,
  });
} else if (figure === 'slow') {
  result = await runSlowConsumers({
    n: arg('n'),
    slowFraction: arg('slow'),
    size: arg('size'),
    rounds: arg('rounds'),
    floor: args.includes('--floor'),
    smoke,
    log,
  });
} else {
  console.error('usage: node src/scenarios.mjs storm|slow [options] (see the header)');
  process.exit(2);
}
console.log(JSON.stringify(result, null, 2));
process.exitCode = result.error ? 1 : 0;

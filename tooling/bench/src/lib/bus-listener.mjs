// What a benchmark passes to bus.start() besides `entry`: the Bus contract has the hub supply
// every listener, and a benchmark is no exception. Gaps and errors are printed (a figure
// measured across a gap would be wrong), state changes ignored.

/**
 * The listener members a benchmark does not measure.
 * @param {string} label - who is listening, for the printed lines.
 */
export function unmeasured(label) {
  return {
    status() {},
    gap(reason) {
      console.error(`${label}: bus gap: ${reason}`);
    },
    error(error) {
      console.error(`${label}: bus error: ${error?.message ?? error}`);
    },
  };
}

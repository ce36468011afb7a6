// One clock for every process of a run: libuv's hrtime is CLOCK_MONOTONIC, shared by all
// processes on the machine, so a timestamp taken in the server can be subtracted from one
// taken in the load generator.

/** Microseconds on the machine-wide monotonic clock. */
export const nowUs = () => Number(process.hrtime.bigint() / 1000n);

/**
 * A payload of exactly `size` bytes (at least the stamp) that carries its send time as
 * `T<µs>|`, padded with `x`: the load generator reads the stamp back for latency.
 */
export function stampedPayload(size) {
  const stamp = `T${nowUs()}|`;
  return size > stamp.length ? stamp + 'x'.repeat(size - stamp.length) : stamp;
}

// Every system the harness can serve, by name. A system module exports
// `start(options)` resolving to a {@link SystemUnderTest}:
//
//   port            the port it listens on (127.0.0.1)
//   connections()   open streams it holds right now
//   publish(p)      sends one message with payload string `p` to every stream
//   publishBurst?   sends several in one turn (default: publish each)
//   publishWithId?(p) publishes like `publish` and resolves with the message's SSE `id:`
//   stats?()        anything worth reporting (drops, disconnects…)
//   close?()        stops it
//
// Loaded lazily so a run that skips a peer does not need its package.

/** System name → loader. */
export const SYSTEMS = {
  'floor-frame': () => import('./plain-http.mjs').then((m) => m.startFloor('frame')),
  'floor-coalesced': () => import('./plain-http.mjs').then((m) => m.startFloor('coalesced')),
  'sse-core': () => import('./sse-core.mjs').then((m) => m.startSseCore({})),
  'sse-core-window': () =>
    import('./sse-core.mjs').then((m) => m.startSseCore({ flushWindowMs: 5 })),
  // Another build of @sse/core (BENCH_BASELINE_CORE), to measure a change side by side.
  'sse-core-baseline': () =>
    import('./sse-core.mjs').then((m) => m.startSseCore({}, { baseline: true })),
  'better-sse': () => import('./better-sse.mjs').then((m) => m.start),
  'express-sse': () => import('./express-sse.mjs').then((m) => m.start),
  'socket.io': () => import('./socket-io.mjs').then((m) => m.start),
};

/** The load generator's protocol (load/main.mjs PROTOCOLS) for systems that are not SSE. */
export const LOAD_PROTOCOL = {
  'socket.io': 'socket.io',
};

/**
 * The floors and the library (and a baseline build of it): measured in every round. Peers
 * take part in `--peer-rounds`.
 */
export const OWN_SYSTEMS = [
  'floor-frame',
  'floor-coalesced',
  'sse-core',
  'sse-core-window',
  'sse-core-baseline',
];

/** Systems run only when `--systems` names them (they need setup, see the README). */
const ON_REQUEST = ['sse-core-baseline'];

/** What a run measures when `--systems` is not given. */
export const DEFAULT_SYSTEMS = Object.keys(SYSTEMS).filter((name) => !ON_REQUEST.includes(name));

/**
 * Sizes a system cannot be measured at within the harness's time bounds, and why. Its row
 * says so instead of a number.
 */
export const SYSTEM_LIMITS = {
  'express-sse': {
    maxN: 5000,
    why: 'not run above n = 5,000: opening is O(n²) (2,000 streams took 15 s)',
  },
};

/** Starts the system `name`, or throws naming the known ones. */
export async function startSystem(name, options = {}) {
  const load = SYSTEMS[name];
  if (!load) throw new Error(`unknown system "${name}"; known: ${Object.keys(SYSTEMS).join(', ')}`);
  const start = await load();
  return start(options);
}

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
};

/** Starts the system `name`, or throws naming the known ones. */
export async function startSystem(name, options = {}) {
  const load = SYSTEMS[name];
  if (!load) throw new Error(`unknown system "${name}"; known: ${Object.keys(SYSTEMS).join(', ')}`);
  const start = await load();
  return start(options);
}

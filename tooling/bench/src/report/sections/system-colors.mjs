// One colour per system, the same in every chart, so a reader can follow a system across
// figures.

/** Chart colours per system: the floors in greys, @sse/core in blues, peers in warm colours. */
export const SYSTEM_COLORS = {
  'floor-frame': '#a3a3a3',
  'floor-coalesced': '#5c5c5c',
  'sse-core': '#0072B2',
  'sse-core-window': '#56B4E9',
  'sse-core-baseline': '#009E73',
  'better-sse': '#E69F00',
  'express-sse': '#CC79A7',
  'socket.io': '#D55E00',
};

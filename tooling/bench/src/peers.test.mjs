import { describe, expect, it } from 'vitest';
import { measureSession } from './figures/fanout.mjs';

// Smoke proof that each peer adapter (server system + load protocol) works end to end: a
// small session, one burst, every frame counted. Not a benchmark.
describe('peer systems', () => {
  for (const system of ['better-sse', 'express-sse', 'socket.io']) {
    it(`${system} delivers a burst to 20 streams`, { timeout: 30_000 }, async () => {
      const { rows, memory } = await measureSession(
        system,
        20,
        [{ mode: 'burst', size: 128, count: 10 }],
        () => {},
      );
      expect(memory.error).toBeUndefined();
      expect(rows).toHaveLength(1);
      expect(rows[0].error).toBeUndefined();
      expect(rows[0].deliveriesPerSec).toBeGreaterThan(0);
      expect(rows[0].samples).toBeGreaterThan(0);
    });
  }
});

import { describe, expect, it } from 'vitest';
import { loadBus } from '../src/bus-loader.js';
import { readConfig } from '../src/config.js';

describe('bus selection', () => {
  it('explains which package to install when a bus package is missing', async () => {
    const config = readConfig({ BUS: 'nats' });
    await expect(
      loadBus(config, () => Promise.reject(new Error("Cannot find package '@sse/bus-nats'"))),
    ).rejects.toThrow(/BUS=nats needs the package @sse\/bus-nats.*pnpm add @sse\/bus-nats/);
  });

  it('refuses an unknown BUS value', () => {
    expect(() => readConfig({ BUS: 'carrier-pigeon' })).toThrow(
      /BUS must be one of memory, redis, nats, kafka/,
    );
  });

  it('loads the Redis bus from @sse/bus-redis', async () => {
    const bus = await loadBus(readConfig({ BUS: 'redis' }));
    expect(bus.kind).toMatch(/redis/);
    await bus.close();
  });
});

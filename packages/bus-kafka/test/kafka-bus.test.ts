import { randomBytes } from 'node:crypto';
import type { PrivateKafka } from '@sse/brokers';
import type { Bus } from '@sse/core';
import { type BusRecording, startRecording, waitFor } from '@sse/core/testing';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaBus, type KafkaBusOptions, type KafkaLike } from '../src/index.js';
import { testBroker } from './broker.js';

const topicPrefix = `sse-test-${randomBytes(3).toString('hex')}.`;
let brokers = '';
let own: PrivateKafka | undefined;
const open: Bus[] = [];
let n = 0;

beforeAll(async () => {
  ({ brokers, own } = await testBroker());
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((bus) => bus.close()));
});
afterAll(async () => {
  await own?.dispose();
});

async function member(options: Partial<KafkaBusOptions> = {}): Promise<BusRecording> {
  const bus = createKafkaBus({ channel: `ch${++n}`, brokers, topicPrefix, ...options });
  open.push(bus);
  return startRecording(bus);
}

describe('Kafka bus', () => {
  it('reports foreign-epoch, unknown and malformed positions, and reads history by offset', async () => {
    const m = await member();
    const positions: string[] = [];
    for (let i = 0; i < 6; i++) positions.push(await m.bus.publish(`x${i}`));
    const [epoch] = positions[0]!.split(':');
    expect(await m.bus.readAfter!(`otherepoch:0:1`, 10)).toEqual({
      ok: false,
      reason: 'epoch-mismatch',
    });
    expect(await m.bus.readAfter!(`${epoch}:0:999`, 10)).toEqual({
      ok: false,
      reason: 'unknown-position',
    });
    expect(await m.bus.readAfter!(`${epoch}:7:1`, 10)).toEqual({
      ok: false,
      reason: 'unknown-position',
    });
    expect(await m.bus.readAfter!('nope', 10)).toEqual({ ok: false, reason: 'malformed' });
    const history = await m.bus.readAfter!(positions[3]!, 10);
    expect(history).toEqual({
      ok: true,
      entries: [
        { position: positions[4], payload: 'x4' },
        { position: positions[5], payload: 'x5' },
      ],
    });
  });

  it('keeps order per partition with several partitions', async () => {
    const channel = `multi${++n}`;
    const a = await member({ channel, partitions: 3 });
    const b = await member({ channel, partitions: 3 });
    const positions: string[] = [];
    for (let i = 0; i < 30; i++) positions.push(await a.bus.publish(`p${i}`));
    await waitFor(() => b.entries.length === 30, 20_000, 'every entry on B');
    const byPartition = (entries: readonly { position: string }[]) => {
      const map = new Map<string, string[]>();
      for (const e of entries) {
        const partition = e.position.split(':')[1]!;
        map.set(partition, [...(map.get(partition) ?? []), e.position]);
      }
      return map;
    };
    // Within a partition, offsets only grow and both members agree; across partitions Kafka
    // defines no order (and comparePositions says so).
    for (const [, list] of byPartition(b.entries)) {
      const offsets = list.map((p) => Number(p.split(':')[2]));
      expect(offsets).toEqual([...offsets].sort((x, y) => x - y));
    }
    await waitFor(() => a.entries.length === 30, 20_000, 'every entry on A');
    expect(byPartition(a.entries)).toEqual(byPartition(b.entries));
    expect(new Set(b.entries.map((e) => e.position))).toEqual(new Set(positions));
  });

  it('works with an injected KafkaJS client', async () => {
    const kafka = new Kafka({
      clientId: 'user-app',
      brokers: [brokers],
      logLevel: logLevel.NOTHING,
    });
    const m = await member({ kafka: kafka as unknown as KafkaLike });
    const position = await m.bus.publish('via injected client');
    await waitFor(() => m.entries.some((e) => e.position === position), 20_000, 'the entry');
  });

  it('waits out a partition leader that is still being elected when reading offsets', async () => {
    // A real broker and client; only the answer Kafka gives for a moment after a topic is
    // created or a broker restarts (NOT_LEADER_FOR_PARTITION, retriable) is injected, twice.
    let refusals = 0;
    const kafka = withFetchTopicOffsets((fetchTopicOffsets) => async (topic) => {
      if (refusals < 2) {
        refusals++;
        throw Object.assign(new Error('This server is not the leader for that topic-partition'), {
          retriable: true,
          type: 'NOT_LEADER_FOR_PARTITION',
        });
      }
      return fetchTopicOffsets(topic);
    });
    const m = await member({ kafka });
    expect(refusals).toBe(2);
    const position = await m.bus.publish('after the leader settled');
    await waitFor(() => m.entries.some((e) => e.position === position), 20_000, 'the entry');
  });

  it('fails start() at once with SSE_BUS_UNAVAILABLE on an error a retry cannot cure', async () => {
    let calls = 0;
    const kafka = withFetchTopicOffsets(() => async () => {
      calls++;
      throw Object.assign(new Error('Not authorized to access topics'), { retriable: false });
    });
    const bus = createKafkaBus({ channel: `ch${++n}`, brokers, topicPrefix, kafka });
    open.push(bus);
    await expect(startRecording(bus)).rejects.toMatchObject({
      code: 'SSE_BUS_UNAVAILABLE',
      message: expect.stringMatching(/read offsets: Not authorized/),
    });
    expect(calls).toBe(1);
  });

  it('reports a consumer group it could not delete, and still answers the history read', async () => {
    const refused = Object.assign(new Error('Not authorized to access group'), {
      type: 'GROUP_AUTHORIZATION_FAILED',
    });
    const deleted: string[][] = [];
    const kafka = withAdmin((admin) => {
      const deleteGroups = admin.deleteGroups.bind(admin);
      admin.deleteGroups = async (groupIds) => {
        deleted.push(groupIds);
        await deleteGroups(groupIds); // leave nothing behind on the test broker
        throw refused;
      };
    });
    const bus = createKafkaBus({ channel: `ch${++n}`, brokers, topicPrefix, kafka });
    const { errors } = await startRecording(bus);
    const first = await bus.publish('one');
    await bus.publish('two');
    const history = await bus.readAfter!(first, 10);
    expect(history).toMatchObject({ ok: true, entries: [{ payload: 'two' }] });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      code: 'SSE_BUS_UNAVAILABLE',
      message: expect.stringMatching(/clean up after a history read: Not authorized/),
    });
    // close() deletes this member's own group, fails the same way, and says so.
    await expect(bus.close()).rejects.toMatchObject({
      code: 'SSE_BUS_UNAVAILABLE',
      message: expect.stringMatching(/deleting consumer groups sse-.*Not authorized/),
    });
    expect(deleted).toHaveLength(2);
  });

  it('rejects a bad channel', () => {
    expect(() => createKafkaBus({ channel: 'has space' })).toThrowError(/channel/);
  });
});

type Admin = ReturnType<Kafka['admin']>;
type FetchTopicOffsets = Admin['fetchTopicOffsets'];

/**
 * A real KafkaJS client on the test broker whose admin clients are passed through `patch`:
 * injects one broker answer, keeps everything else real.
 */
function withAdmin(patch: (admin: Admin) => void): KafkaLike {
  const real = new Kafka({ clientId: 'user-app', brokers: [brokers], logLevel: logLevel.NOTHING });
  const kafka = Object.create(real) as Kafka;
  kafka.admin = (...args: Parameters<Kafka['admin']>) => {
    const admin = real.admin(...args);
    patch(admin);
    return admin;
  };
  return kafka as unknown as KafkaLike;
}

/** {@link withAdmin} for `fetchTopicOffsets`, answered through `replace(real)`. */
function withFetchTopicOffsets(replace: (real: FetchTopicOffsets) => FetchTopicOffsets): KafkaLike {
  return withAdmin((admin) => {
    admin.fetchTopicOffsets = replace(admin.fetchTopicOffsets.bind(admin));
  });
}

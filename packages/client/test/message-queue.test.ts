import { describe, expect, it } from 'vitest';
import { isSseClientError } from '../src/index.js';
import { createMessageQueue } from '../src/message-queue.js';

describe('createMessageQueue', () => {
  it('delivers buffered values in order, then ends', async () => {
    const queue = createMessageQueue<number>(10, () => {});
    queue.push(1);
    queue.push(2);
    queue.end();
    queue.push(3); // ignored after end
    const seen: number[] = [];
    for await (const value of queue) seen.push(value);
    expect(seen).toEqual([1, 2]);
  });

  it('resolves a waiting next() when a value arrives', async () => {
    const queue = createMessageQueue<string>(10, () => {});
    const pending = queue.next();
    queue.push('late');
    await expect(pending).resolves.toEqual({ done: false, value: 'late' });
  });

  it('throws the end error once, after the buffered values', async () => {
    const queue = createMessageQueue<number>(10, () => {});
    queue.push(1);
    queue.end(new Error('fatal'));
    await expect(queue.next()).resolves.toEqual({ done: false, value: 1 });
    await expect(queue.next()).rejects.toThrow('fatal');
    await expect(queue.next()).resolves.toEqual({ done: true, value: undefined });
  });

  it('fails with SSE_BUFFER_OVERFLOW when the consumer falls too far behind', async () => {
    const queue = createMessageQueue<number>(3, () => {});
    for (let i = 0; i < 4; i += 1) queue.push(i);
    const error = await queue.next().catch((e: unknown) => e);
    expect(isSseClientError(error, 'SSE_BUFFER_OVERFLOW')).toBe(true);
  });

  it('calls onReturn once when the consumer breaks out', async () => {
    let returns = 0;
    const queue = createMessageQueue<number>(10, () => {
      returns += 1;
    });
    queue.push(1);
    queue.push(2);
    for await (const value of queue) if (value === 1) break;
    await queue.return?.();
    expect(returns).toBe(1);
  });
});

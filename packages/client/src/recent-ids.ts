/**
 * A bounded set of recently seen event ids: a ring of insertion order beside a Set, so the
 * check and the insert are O(1) and memory stays at `capacity` ids however long the stream.
 */
export interface RecentIds {
  /**
   * Records `id`.
   * @returns false when `id` was already among the recent ones (a duplicate).
   */
  add(id: string): boolean;
}

/**
 * Creates a {@link RecentIds} holding up to `capacity` ids (0 disables de-duplication).
 * @param capacity - how many ids to remember.
 * @returns the set.
 */
export function createRecentIds(capacity: number): RecentIds {
  const seen = new Set<string>();
  const ring: string[] = [];
  let next = 0;
  return {
    add(id: string): boolean {
      if (capacity === 0) return true;
      if (seen.has(id)) return false;
      if (ring.length < capacity) ring.push(id);
      else {
        seen.delete(ring[next]!);
        ring[next] = id;
        next = (next + 1) % capacity;
      }
      seen.add(id);
      return true;
    },
  };
}

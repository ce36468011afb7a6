import type {
  Bus,
  BusEntry,
  BusListener,
  BusStart,
  BusStartOptions,
  BusState,
} from '../bus/bus.js';

/** A started bus and everything it told its listener, in order. */
export interface BusRecording {
  readonly bus: Bus;
  /** What `start()` resolved with. */
  readonly start: BusStart;
  readonly entries: BusEntry[];
  readonly states: { readonly state: BusState; readonly error: Error | undefined }[];
  /** Gaps: why, and the position the bus resumes from (when it said). */
  readonly gaps: { readonly reason: string; readonly resumeAt: string | undefined }[];
  readonly errors: Error[];
  /** Entries (by position), `gap` and `error`, in the order they were reported. */
  readonly timeline: string[];
}

/**
 * Starts `bus` with a listener that records everything (what the hub would be told), for
 * tests of a bus on its own.
 * @param bus - the bus, not started yet.
 * @param options - what a hub would pass to `start()` (e.g. `{ idempotencyWindowMs }`).
 * @returns the recording, filled as the bus reports.
 * @throws whatever `bus.start()` rejects with.
 * @example
 * ```ts
 * const member = await startRecording(createRedisBus({ channel: 'test' }));
 * await member.bus.publish('hello');
 * await waitFor(() => member.entries.length === 1, 5000, 'the entry');
 * ```
 */
export async function startRecording(bus: Bus, options?: BusStartOptions): Promise<BusRecording> {
  const entries: BusEntry[] = [];
  const states: BusRecording['states'] = [];
  const gaps: BusRecording['gaps'] = [];
  const errors: Error[] = [];
  const timeline: string[] = [];
  const listener: BusListener = {
    entry: (entry) => {
      entries.push(entry);
      timeline.push(entry.position);
    },
    status: (state, error) => states.push({ state, error }),
    gap: (reason, resumeAt) => {
      gaps.push({ reason, resumeAt });
      timeline.push('gap');
    },
    error: (error) => {
      errors.push(error);
      timeline.push('error');
    },
  };
  // Only a caller's options are passed: `start(listener)` stays what older buses expect.
  const start = await (options === undefined ? bus.start(listener) : bus.start(listener, options));
  return { bus, start, entries, states, gaps, errors, timeline };
}

import type { Bus, BusEntry, BusState } from '@sse/core';

/** A started bus and everything its listener saw. */
export interface Member {
  readonly bus: Bus;
  readonly entries: BusEntry[];
  readonly states: { state: BusState; error: Error | undefined }[];
  readonly gaps: string[];
  /** The `resumeAt` of each gap, in order (`undefined` when the bus gave none). */
  readonly resumes: (string | undefined)[];
  /** Entries (by position) and gaps (`gap`), in the order they were reported. */
  readonly timeline: string[];
}

/** Starts `bus` with a recording listener. */
export async function startMember(bus: Bus): Promise<Member> {
  const member: Member = { bus, entries: [], states: [], gaps: [], resumes: [], timeline: [] };
  await bus.start({
    entry: (entry) => {
      member.entries.push(entry);
      member.timeline.push(entry.position);
    },
    status: (state, error) => member.states.push({ state, error }),
    gap: (reason, resumeAt) => {
      member.gaps.push(reason);
      member.resumes.push(resumeAt);
      member.timeline.push('gap');
    },
  });
  return member;
}

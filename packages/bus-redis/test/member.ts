import type { Bus, BusEntry, BusState } from '@sse/core';

/** A started bus and everything its listener saw. */
export interface Member {
  readonly bus: Bus;
  readonly entries: BusEntry[];
  readonly states: { state: BusState; error: Error | undefined }[];
  readonly gaps: string[];
}

/** Starts `bus` with a recording listener. */
export async function startMember(bus: Bus): Promise<Member> {
  const member: Member = { bus, entries: [], states: [], gaps: [] };
  await bus.start({
    entry: (entry) => member.entries.push(entry),
    status: (state, error) => member.states.push({ state, error }),
    gap: (reason) => member.gaps.push(reason),
  });
  return member;
}

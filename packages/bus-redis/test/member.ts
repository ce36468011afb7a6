import type { Bus } from '@sse/core';
import { type BusRecording, startRecording } from '@sse/core/testing';

/** A started bus and everything its listener saw. */
export type Member = BusRecording;

/** Starts `bus` with a recording listener. */
export function startMember(bus: Bus): Promise<Member> {
  return startRecording(bus);
}

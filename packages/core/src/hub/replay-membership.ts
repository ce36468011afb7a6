import type { Connection } from './connection.js';
import type { ControlOp } from './control-ops.js';

/**
 * Replays a control operation on a stream that is catching up, before it goes live: a join or
 * leave that names it changes its rooms from that point of the log on, so the entries after it
 * are judged with the rooms the stream had then (a stream that resumes after its user left a
 * room does not get that room's later messages). A disconnect in the past is not replayed: the
 * stream that resumes is a new one.
 */
export function replayMembership(op: ControlOp, connection: Connection): void {
  if (op.op === 'disconnect') return;
  const named =
    op.target.kind === 'user'
      ? connection.user === op.target.value
      : connection.id === op.target.value;
  if (!named) return;
  if (op.op === 'join') connection.addRoom(op.room);
  else connection.removeRoom(op.room);
}

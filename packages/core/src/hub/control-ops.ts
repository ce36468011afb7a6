import { SseError } from '../errors.js';

/**
 * Control operations and presence notes: entries on the bus that are not messages. They
 * travel the same log as messages, so every instance applies them in the same order as the
 * messages around them: a stream removed from a room gets no message of that room published
 * after the removal, on any instance.
 *
 * Format: `c1\n<JSON>` for a control operation, `p1\n<JSON>` for a presence note. JSON
 * because they are rare and small; a message envelope starts with `1 ` or `2 `, so the first
 * two bytes tell the three apart. An older `@sse/core` reports them as `SSE_BUS_PROTOCOL` and
 * skips them: upgrade every instance before using control operations or presence.
 */

/** Who a control operation acts on. */
export type ControlTarget =
  | { readonly kind: 'user'; readonly value: string }
  | { readonly kind: 'connection'; readonly value: string }
  | { readonly kind: 'room'; readonly value: string };

/** A control operation, as it travels on the bus. */
export type ControlOp =
  | {
      readonly op: 'disconnect';
      readonly target: ControlTarget;
      /** Shown to the client in `sse-disconnect`. */
      readonly reason: string;
      /** `false`: the client is told not to reconnect, and a user target is refused (204). */
      readonly reconnect: boolean;
      /** How long the refusal of a user lasts, in ms (only with `reconnect: false`). */
      readonly banMs: number;
    }
  | {
      readonly op: 'join' | 'leave';
      readonly target: Extract<ControlTarget, { kind: 'user' | 'connection' }>;
      readonly room: string;
    };

/** A presence note, as it travels on the bus (see `Presence`). */
export type PresenceNote =
  /** An instance started and asks everyone for their members. */
  | { readonly kind: 'hello'; readonly instance: string }
  /** An instance's whole local membership, room → users; replaces what was known of it. */
  | {
      readonly kind: 'snapshot';
      readonly instance: string;
      readonly rooms: Readonly<Record<string, readonly string[]>>;
    }
  /** Changes of an instance's local membership since its last note, per room. */
  | {
      readonly kind: 'delta';
      readonly instance: string;
      readonly joined: Readonly<Record<string, readonly string[]>>;
      readonly left: Readonly<Record<string, readonly string[]>>;
    }
  /** The instance is alive (its members stay online). */
  | { readonly kind: 'beat'; readonly instance: string };

const CONTROL = 'c1\n';
const PRESENCE = 'p1\n';

/** Encodes a control operation as a bus payload. */
export function encodeControl(op: ControlOp): string {
  return CONTROL + JSON.stringify(op);
}

/** Encodes a presence note as a bus payload. */
export function encodePresence(note: PresenceNote): string {
  return PRESENCE + JSON.stringify(note);
}

/** What a payload is: a message (decode it as an envelope), a control operation or a note. */
export type PayloadKind = 'message' | 'control' | 'presence';

/** Tells the three kinds of payload apart by their first bytes, without decoding. */
export function payloadKind(payload: string): PayloadKind {
  if (payload.startsWith(CONTROL)) return 'control';
  if (payload.startsWith(PRESENCE)) return 'presence';
  return 'message';
}

/**
 * Decodes a control operation.
 * @throws SseError `SSE_BUS_PROTOCOL` when it is not one this version writes.
 */
export function decodeControl(payload: string): ControlOp {
  const op = parse(payload, CONTROL) as ControlOp;
  const target = op?.target as { kind?: unknown; value?: unknown } | undefined;
  const targetOk =
    typeof target?.value === 'string' &&
    (target.kind === 'user' || target.kind === 'connection' || target.kind === 'room');
  const ok =
    targetOk &&
    ((op.op === 'disconnect' &&
      typeof op.reason === 'string' &&
      typeof op.reconnect === 'boolean' &&
      typeof op.banMs === 'number') ||
      ((op.op === 'join' || op.op === 'leave') &&
        typeof op.room === 'string' &&
        target?.kind !== 'room'));
  if (!ok) throw protocolError(payload);
  return op;
}

/**
 * Decodes a presence note.
 * @throws SseError `SSE_BUS_PROTOCOL` when it is not one this version writes.
 */
export function decodePresence(payload: string): PresenceNote {
  const note = parse(payload, PRESENCE) as PresenceNote;
  const ok =
    typeof note?.instance === 'string' &&
    (note.kind === 'hello' ||
      note.kind === 'beat' ||
      (note.kind === 'snapshot' && isRoomMap(note.rooms)) ||
      (note.kind === 'delta' && isRoomMap(note.joined) && isRoomMap(note.left)));
  if (!ok) throw protocolError(payload);
  return note;
}

function parse(payload: string, prefix: string): unknown {
  try {
    return JSON.parse(payload.slice(prefix.length));
  } catch {
    throw protocolError(payload);
  }
}

function isRoomMap(value: unknown): value is Record<string, readonly string[]> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  for (const users of Object.values(value))
    if (!Array.isArray(users) || !users.every((u) => typeof u === 'string')) return false;
  return true;
}

function protocolError(payload: string): SseError {
  return new SseError(
    'SSE_BUS_PROTOCOL',
    `Bus entry is not a control operation or presence note of this version: ${JSON.stringify(payload.slice(0, 60))}…`,
  );
}

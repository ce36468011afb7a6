import type { Admission } from './admission.js';
import type { CatchUp } from './catch-up.js';
import type { Connection, ConnectionOwner } from './connection.js';
import type { GracefulShutdown } from './graceful-shutdown.js';
import type { HubReporter } from './hub-reporter.js';
import type { HubCounters } from './hub-stats.js';
import type { Registry } from './registry.js';
import type { QueueLimits } from './stream-outcomes.js';

/** The parts a connection's news reaches. */
export interface OwnerParts {
  readonly limits: QueueLimits;
  readonly counters: HubCounters;
  readonly reporter: HubReporter;
  readonly registry: Registry;
  readonly admission: Admission;
  readonly catchUp: CatchUp;
  readonly graceful: GracefulShutdown;
}

/**
 * What every connection tells the hub, shared by all of them (one object, no closure per
 * connection): writes and queue sizes for the counters, drops and ends for the application's
 * events, drained queues for the slow-client reset and the shutdown's wait.
 */
export function createConnectionOwner(parts: OwnerParts): ConnectionOwner {
  const { counters, reporter, registry, admission, catchUp, graceful } = parts;
  const ended = (connection: Connection, reason: Parameters<ConnectionOwner['ended']>[1]) => {
    registry.remove(connection);
    catchUp.forget(connection);
    if (!admission.release(connection)) return;
    counters.disconnects[reason]++;
    reporter.notify('disconnect', connection.handle, reason);
    graceful.queuesChanged();
  };
  return {
    limits: parts.limits,
    wrote: (_connection, bytes, frames) => {
      counters.deliveries += frames;
      counters.bytesOut += bytes;
    },
    queued: (connection) => {
      if (connection.queuedItems > counters.queueHighItems)
        counters.queueHighItems = connection.queuedItems;
      if (connection.queuedBytes > counters.queueHighBytes)
        counters.queueHighBytes = connection.queuedBytes;
    },
    dropped: (connection, reason, frames) => {
      counters.drops[reason] += frames;
      if (admission.streams.has(connection))
        reporter.notify('drop', connection.handle, reason, frames);
    },
    drained: (connection) => {
      // Frames a drop policy dropped leave a gap: say so once the socket takes writes again.
      if (connection.lostFrames > 0) {
        connection.lostFrames = 0;
        catchUp.reset(connection, 'frames-dropped');
      }
      graceful.queuesChanged();
    },
    ended,
  };
}

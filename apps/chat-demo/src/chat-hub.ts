import { createHub, type Hub } from '@sse/core';
import { loadBus } from './bus-loader.js';
import type { ChatConfig } from './config.js';
import { createHistoryTap, type HistoryTap } from './history-tap.js';

/** Replay window size: also bounds how far back "history on join" reaches. */
const WINDOW_ENTRIES = 5000;

/** The hub of the chat and the history tap on its bus. */
export interface ChatHub {
  readonly hub: Hub;
  readonly tap: HistoryTap;
}

/**
 * Loads the configured bus, wraps it in the history tap, creates the hub and waits until
 * the bus is ready.
 * @param config - see `readConfig`.
 * @param log - where hub errors and bus state changes go.
 * @returns the ready hub and its tap.
 * @throws Error when the bus cannot be loaded or reached.
 */
export async function startChatHub(
  config: ChatConfig,
  log: (line: string) => void,
): Promise<ChatHub> {
  const tap = createHistoryTap(await loadBus(config), { windowEntries: WINDOW_ENTRIES });
  const hub = createHub({
    bus: tap.bus,
    instanceId: config.instanceId,
    keepAliveMs: 15_000,
    retryMs: 1_000,
    // Count-bound only (age and bytes generous), so the history tap can mirror it.
    replay: { maxEntries: WINDOW_ENTRIES, maxAgeMs: 24 * 3600_000, maxBytes: 64 * 1024 * 1024 },
  });
  hub.on('error', (error) => log(`hub error: ${error.message}`));
  hub.on('bus', (state, error) =>
    log(`bus ${hub.bus.kind}: ${state}${error ? ` (${error.message})` : ''}`),
  );
  await hub.ready();
  // A first entry in the log, so that even the room's first message has an entry before it
  // to anchor history on. Addressed to a connection id nobody has: no client receives it.
  await hub.publish({
    to: { connection: 'chat-demo-boot' },
    event: 'boot',
    data: config.instanceId,
  });
  return { hub, tap };
}

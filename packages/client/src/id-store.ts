import type { SseClientError } from './errors.js';
import { storageError } from './messages.js';
import type { Settings } from './settings.js';

/** Where the last event id survives a page reload (the `storage` option), if anywhere. */
export interface IdStore {
  /** The stored id, `''` when none (or when reading failed: reported, never thrown). */
  read(): string;
  /** Stores `id`; a failure is reported, never thrown. */
  save(id: string): void;
}

/**
 * Creates the store for `settings.storage` under `settings.storageKey`. Storage can throw
 * (quota, privacy modes, a disabled `sessionStorage`): such failures reach `report` as
 * `SSE_STORAGE_FAILED` errors and the stream goes on without persistence.
 */
export function createIdStore(
  settings: Pick<Settings, 'storage' | 'storageKey'>,
  report: (error: SseClientError) => void,
): IdStore {
  const { storage, storageKey } = settings;
  return {
    read(): string {
      if (storage === undefined) return '';
      try {
        return storage.getItem(storageKey) ?? '';
      } catch (cause) {
        // Reported on the next tick: no handler can be attached yet.
        queueMicrotask(() => report(storageError('read', cause)));
        return '';
      }
    },
    save(id: string): void {
      if (storage === undefined) return;
      try {
        storage.setItem(storageKey, id);
      } catch (cause) {
        report(storageError('save', cause));
      }
    },
  };
}

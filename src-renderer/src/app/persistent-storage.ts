import type { PersistState } from './desk-store';

/**
 * Ask the browser not to evict this station's data under storage pressure. Electron grants
 * it; a browser may refuse, and the desk then says so in the status bar.
 */
export async function requestPersistentStorage(): Promise<PersistState> {
  if (!navigator.storage?.persist) return 'unsupported';
  try {
    if (await navigator.storage.persisted()) return 'granted';
    return (await navigator.storage.persist()) ? 'granted' : 'refused';
  } catch {
    return 'refused';
  }
}

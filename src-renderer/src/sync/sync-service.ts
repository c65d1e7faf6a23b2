/**
 * Wires the connection loop to this station: its configuration (hub address in the local
 * store, token in the shell's secure settings), the push-then-pull round, and the status the
 * desk shows.
 */
import { create } from 'zustand';
import { useDesk } from '../app/desk-store';
import { shell } from '../shell';
import type { RelayDb } from '../store/db';
import { ConnectionLoop, INITIAL_STATUS, type SyncStatus } from './connection-loop';
import { createHubClient, HubError, type HubClient } from './hub-client';
import { syncRound } from './sync-round';

export const HUB_URL_KEY = 'hub:url';
export const HUB_TOKEN_KEY = 'hubToken';

export const useSync = create<SyncStatus>(() => ({ ...INITIAL_STATUS }));

export interface HubConfig {
  url: string;
  token: string;
}

export async function readHubConfig(db: RelayDb): Promise<HubConfig | null> {
  const url = (await db.settings.get(HUB_URL_KEY))?.value;
  const token = await shell.secureSettings.get(HUB_TOKEN_KEY);
  if (typeof url !== 'string' || !url || !token) return null;
  return { url, token };
}

/**
 * The hub client, or null when no hub is set up. An address without its token (the token lost:
 * both are written and removed together) is not "no hub": the desk says a person must enter
 * the token again, rather than falling quiet as if it had never been connected.
 */
export async function hubClientOf(db: RelayDb): Promise<HubClient | null> {
  const config = await readHubConfig(db);
  if (config) return createHubClient({ baseUrl: config.url, token: config.token });
  const url = (await db.settings.get(HUB_URL_KEY))?.value;
  if (typeof url === 'string' && url) throw new HubError('noToken', '');
  return null;
}

export async function writeHubConfig(db: RelayDb, config: HubConfig | null): Promise<void> {
  if (config) {
    await db.settings.put({ key: HUB_URL_KEY, value: config.url });
    await shell.secureSettings.set(HUB_TOKEN_KEY, config.token);
  } else {
    await db.settings.delete(HUB_URL_KEY);
    await shell.secureSettings.set(HUB_TOKEN_KEY, null);
  }
}

let loop: ConnectionLoop | null = null;

export function startSync(db: RelayDb): ConnectionLoop {
  loop?.stop();
  const next = new ConnectionLoop({
    client: () => hubClientOf(db),
    async round(client) {
      const station = useDesk.getState().station;
      if (!station) return { pushed: 0, pulled: 0 };
      const { pushed, pulled, calendar } = await syncRound(db, client, station.stationId);
      // deadlines shown from now on count on the changed years
      if (calendar.changed.length > 0) useDesk.getState().dataChanged();
      if (calendar.error) console.warn(calendar.error);
      return { pushed: pushed.accepted + pushed.duplicates + pushed.rejected, pulled: pulled.added };
    },
    onStatus: (status) => useSync.setState(status, true),
    onRound: (r) => {
      if (r.pushed > 0 || r.pulled > 0) useDesk.getState().dataChanged();
    },
  });
  loop = next;
  next.start();
  window.addEventListener('online', () => next.onlineHint());
  return next;
}

export function syncLoop(): ConnectionLoop | null {
  return loop;
}

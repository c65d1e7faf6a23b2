/**
 * Where the station keeps the hub's pull cursor (written with each applied pull page, in the
 * same transaction). Events recorded here carry the cursor of the moment on their outbox row
 * (the push's `basis`): the hub judges each event by the case as this desk knew it then.
 */
import type { RelayDb } from './db';

export const CURSOR_KEY = 'sync:cursor';

export function cursorOf(row: { value: unknown } | undefined): string {
  return typeof row?.value === 'string' ? row.value : '0';
}

export async function readCursor(db: RelayDb): Promise<string> {
  return cursorOf(await db.settings.get(CURSOR_KEY));
}

/** This station's settings, kept in the local store. */
import { StationSchema, type Station } from '../../../src-common/domain';
import type { RelayDb } from '../store/db';

export async function loadStation(db: RelayDb): Promise<Station | null> {
  const row = await db.settings.get('station');
  if (!row) return null;
  const parsed = StationSchema.safeParse(row.value);
  return parsed.success ? parsed.data : null;
}

export async function saveStation(db: RelayDb, station: Station): Promise<Station> {
  const parsed = StationSchema.parse(station);
  await db.settings.put({ key: 'station', value: parsed });
  return parsed;
}

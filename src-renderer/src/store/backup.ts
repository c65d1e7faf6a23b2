/**
 * Backup: every event this station holds, to one JSON file, and back. Import only appends:
 * events already held are skipped, conflicting or malformed ones make the whole import fail
 * with a plain message, and nothing is changed.
 */
import { z } from 'zod';
import { StationSchema, type Station } from '../../../src-common/domain';
import { CURSOR_PATTERN } from '../../../src-common/protocol/v1';
import { applyExternalEvents, type ApplyResult } from './apply-external';
import { COUNTER } from './counters';
import type { RejectedRow, RelayDb, StoredEvent } from './db';
import { acknowledgedBases, allEventsWithHubSeqs, recordHubSeqs, withHubSeqs } from './hub-seqs';
import { refoldCases, refusedIds } from './refold';

export const BACKUP_FORMAT = 'relay-desk-backup';
export const BACKUP_FORMAT_VERSION = 1;

export interface BackupFile {
  format: typeof BACKUP_FORMAT;
  formatVersion: number;
  exportedAt: string;
  appVersion: string;
  station: Station | null;
  /** events in local arrival order, with the hub's sequence where known */
  events: Array<Record<string, unknown>>;
  /** ids of events not yet acknowledged by the hub */
  outbox: string[];
  /**
   * the pull cursor each of this station's events was recorded at, where known: those of
   * `outbox` (what the hub judges them by when they are sent) and those the hub acknowledged
   * (sent again should the hub lose them); absent in files of older versions
   */
  bases?: Record<string, string>;
  /** events the hub refused for good, with its reasons (absent in files of older versions) */
  rejected?: RejectedRow[];
  /** present when exported by the recovery screen from a damaged database */
  rescue?: { readable: string[]; unreadable: Array<{ store: string; error: string }>; cases?: unknown[] };
}

const BackupHeaderSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  formatVersion: z.number().int(),
  exportedAt: z.string(),
  station: StationSchema.nullable(),
  events: z.array(z.record(z.string(), z.unknown())),
  outbox: z.array(z.string()),
  bases: z.record(z.string(), z.string().regex(CURSOR_PATTERN, '不是集线器给出的游标')).optional(),
  rejected: z.array(z.object({ eventId: z.string(), code: z.string(), reason: z.string(), at: z.string() })).optional(),
});

export async function exportBackup(db: RelayDb, appVersion: string): Promise<BackupFile> {
  return db.transaction('r', [db.events, db.hubAcks, db.outbox, db.settings, db.rejected], async () => {
    const events = await allEventsWithHubSeqs(db, await db.events.orderBy('lseq').toArray());
    const queued = await db.outbox.orderBy('lseq').toArray();
    const outbox = queued.map((o) => o.eventId);
    const bases: Record<string, string> = {};
    for (const row of (await db.hubAcks.toArray()).sort((a, b) => a.n! - b.n!)) {
      for (const [i, id] of row.ids.entries()) {
        const basis = row.bases?.[i];
        if (typeof basis === 'string') bases[id] = basis;
      }
    }
    for (const o of queued) if (typeof o.basis === 'string') bases[o.eventId] = o.basis;
    const rejected = await db.rejected.toArray();
    const station = (await db.settings.get('station'))?.value as Station | undefined;
    return {
      format: BACKUP_FORMAT,
      formatVersion: BACKUP_FORMAT_VERSION,
      exportedAt: new Date().toISOString(),
      appVersion,
      station: station ?? null,
      events: events.map(({ lseq: _l, ...e }) => e as unknown as Record<string, unknown>),
      outbox,
      bases,
      rejected: rejected.map(({ eventId, code, reason, at }) => ({ eventId, code, reason, at })),
    };
  });
}

export class BackupFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupFormatError';
  }
}

/** Parse a file's text; throws BackupFormatError with plain words for anything foreign. */
export function parseBackup(text: string): BackupFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new BackupFormatError('文件不是有效的备份文件（无法读取为 JSON）');
  }
  if (!json || typeof json !== 'object' || (json as { format?: unknown }).format !== BACKUP_FORMAT) {
    throw new BackupFormatError('这不是接转办工作台的备份文件');
  }
  const version = (json as { formatVersion?: unknown }).formatVersion;
  // a missing or non-numeric version is damage (reported below), not a newer program
  if (typeof version === 'number' && version > BACKUP_FORMAT_VERSION) {
    throw new BackupFormatError(`备份文件版本（${String(version)}）比本程序新，请先升级程序`);
  }
  const header = BackupHeaderSchema.safeParse(json);
  if (!header.success) throw new BackupFormatError('备份文件内容不完整或已损坏');
  return json as BackupFile;
}

/**
 * The recorded pull cursors of this station's acknowledged events, from the file, where this
 * desk keeps none yet: as acknowledgement rows (hub-seqs.ts), so an event sent again should
 * the hub lose it is judged by what its desk knew. Inside the import's transaction.
 */
async function restoreAcknowledgedBases(db: RelayDb, own: readonly StoredEvent[], bases: Readonly<Record<string, string>>): Promise<void> {
  const acknowledged = own.filter((e) => e.hubSeq !== null && typeof bases[e.id] === 'string');
  if (acknowledged.length === 0) return;
  const known = await acknowledgedBases(db, acknowledged.map((e) => e.id));
  const missing = acknowledged.filter((e) => !known.has(e.id));
  for (let i = 0; i < missing.length; i += 500) {
    const chunk = missing.slice(i, i + 500);
    await recordHubSeqs(
      db,
      chunk.map((e) => [e.id, e.hubSeq!] as const),
      bases,
    );
  }
}

/**
 * Add the file's refusals of events now held that this station has not recorded as refused,
 * count them, and fold their cases again without them (as a refusal from the hub does).
 * Returns every refused id held (restored and already known). Inside the import's transaction.
 */
async function restoreRefusals(db: RelayDb, rows: readonly RejectedRow[]): Promise<Set<string>> {
  const ids = rows.map((r) => r.eventId);
  const [held, known] = await Promise.all([db.events.bulkGet(ids), db.rejected.bulkGet(ids)]);
  const add = rows.filter((_, i) => held[i] && !known[i]);
  if (add.length > 0) {
    await db.rejected.bulkAdd(add.map(({ eventId, code, reason, at }) => ({ eventId, code, reason, at })));
    const row = await db.counters.get(COUNTER.rejected);
    await db.counters.put({ key: COUNTER.rejected, n: (row?.n ?? 0) + add.length });
    await refoldCases(db, new Set(add.map((r) => held[ids.indexOf(r.eventId)]!.caseId)));
  }
  return refusedIds(db);
}

export interface ImportResult extends ApplyResult {
  stationRestored: boolean;
  requeued: number;
}

/**
 * Restore a backup into this station. Events are appended; this station's own events that
 * the hub had not acknowledged go back into the outbox; the station's sequence counter moves
 * past every restored event of its own so no number is used twice.
 */
export async function importBackup(db: RelayDb, text: string): Promise<ImportResult> {
  const backup = parseBackup(text);
  const current = (await db.settings.get('station'))?.value as Station | undefined;
  // Another station's backup may be read in (its events are that station's record), but only
  // this station's own unsent events go back into the outbox.
  const me = current ?? backup.station;
  const outboxIds = new Set(backup.outbox);
  let requeued = 0;
  let stationRestored = false;
  const events = backup.events as Array<Record<string, unknown> & { hubSeq?: number | null }>;
  const result = await applyExternalEvents(
    db,
    events.map(({ hubSeq, ...event }) => ({ event, hubSeq: typeof hubSeq === 'number' ? hubSeq : null })),
    async () => {
      if (!current && backup.station) {
        await db.settings.put({ key: 'station', value: backup.station });
        stationRestored = true;
      }
      if (!me) return;
      const own = (await withHubSeqs(db, await db.events.bulkGet(events.map((e) => String(e.id))))).filter(
        (e): e is StoredEvent => Boolean(e) && e!.stationId === me.stationId,
      );
      const maxSeq = own.reduce((m, e) => Math.max(m, e.seq), 0);
      const seqRow = await db.settings.get('station:seq');
      const seq = typeof seqRow?.value === 'number' ? seqRow.value : 0;
      if (maxSeq > seq) await db.settings.put({ key: 'station:seq', value: maxSeq });
      // what the hub refused for good stays refused: kept, listed, never queued again
      const refused = await restoreRefusals(db, backup.rejected ?? []);
      const pending = own.filter((e) => e.hubSeq === null && !refused.has(e.id) && (outboxIds.has(e.id) || backup.station?.stationId === me.stationId));
      const already = new Set(await db.outbox.bulkGet(pending.map((e) => e.id)).then((rows) => rows.filter(Boolean).map((r) => r!.eventId)));
      const add = pending.filter((e) => !already.has(e.id));
      if (add.length > 0) {
        const bases = backup.bases ?? {};
        await db.outbox.bulkAdd(add.map((e) => ({ eventId: e.id, lseq: e.lseq, queuedAt: new Date().toISOString(), ...(bases[e.id] ? { basis: bases[e.id] } : {}) })));
        const row = await db.counters.get(COUNTER.outbox);
        await db.counters.put({ key: COUNTER.outbox, n: (row?.n ?? 0) + add.length });
      }
      requeued = add.length;
      await restoreAcknowledgedBases(db, own, backup.bases ?? {});
    },
  );
  return { ...result, stationRestored, requeued };
}

/**
 * A backup file from whatever the recovery screen could read of a damaged database (stores
 * read one by one, raw): the events with the hub numbers acknowledged beside them put back on
 * (later acknowledgements winning), the outbox, the pull cursor each event was recorded at
 * (from the acknowledgements and the outbox; anything that is not a cursor left out), and what
 * could and could not be read. importBackup reads it like any backup.
 */
export function rescueFile(
  stores: Readonly<Record<string, unknown[]>>,
  unreadable: ReadonlyArray<{ store: string; error: string }>,
  appVersion: string,
): BackupFile & { rescue: NonNullable<BackupFile['rescue']> } {
  const settings = (stores.settings ?? []) as Array<{ key: string; value: unknown }>;
  const acked = new Map<string, number>();
  const bases: Record<string, string> = {};
  const isCursor = (v: unknown): v is string => typeof v === 'string' && CURSOR_PATTERN.test(v);
  const acks = ((stores.hubAcks ?? []) as Array<{ n: number; ids: string[]; hubSeqs: number[]; bases?: unknown[] }>).sort((a, b) => a.n - b.n);
  for (const row of acks) {
    for (const [i, id] of row.ids.entries()) {
      acked.set(id, row.hubSeqs[i]!);
      const basis = Array.isArray(row.bases) ? row.bases[i] : undefined;
      if (isCursor(basis)) bases[id] = basis;
    }
  }
  const outbox = (stores.outbox ?? []) as Array<{ eventId: string; basis?: unknown }>;
  for (const o of outbox) if (isCursor(o.basis)) bases[o.eventId] = o.basis;
  const events = ((stores.events ?? []) as Array<Record<string, unknown> & { id: string; hubSeq?: number | null }>).map((e) =>
    (e.hubSeq ?? null) === null && acked.has(e.id) ? { ...e, hubSeq: acked.get(e.id)! } : e,
  );
  return {
    format: BACKUP_FORMAT,
    formatVersion: BACKUP_FORMAT_VERSION,
    exportedAt: new Date().toISOString(),
    appVersion,
    station: (settings.find((s) => s.key === 'station')?.value as Station | undefined) ?? null,
    events,
    outbox: outbox.map((o) => o.eventId),
    bases,
    rescue: { readable: Object.keys(stores), unreadable: [...unreadable], cases: stores.cases ?? [] },
  };
}

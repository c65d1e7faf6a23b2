/**
 * The alert centre: which alerts hold now (the domain's rules), the on-screen list that keeps
 * each until a person acknowledges it, and the native notification with sound, repeated while
 * an urgent alert stays unacknowledged. Runs on a timer so deadlines pass while offline too.
 */
import { create } from 'zustand';
import { alertsForCases, alertsToSound, loadDefaultCatalogue, type Alert, type Station } from '../../../src-common/domain';
import { shell } from '../shell';
import type { AlertRow, RelayDb, StoredCase } from '../store/db';
import { toCaseState } from '../store/projection';
import { assignedByMeDue, awaitingMe, dueBefore, ownedOpen } from '../store/work-queue';
import { playAlarm } from './alarm-sound';
import { notificationsFor } from './alert-notifications';

export interface AlertView extends AlertRow {
  /** the condition still holds (e.g. not yet acknowledged, still overdue) */
  active: boolean;
}

export const useAlerts = create<{ alerts: AlertView[] }>(() => ({ alerts: [] }));

const HOUR = 3_600_000;

async function candidateCases(db: RelayDb, station: Station, now: number): Promise<StoredCase[]> {
  const lists = await Promise.all([
    awaitingMe(db, station),
    ownedOpen(db, station.stationId),
    // the assigner's follow-up of an acknowledged assignment gone overdue (it no longer owns it)
    assignedByMeDue(db, station.stationId, new Date(now).toISOString()),
    station.role === 'supervisor' ? dueBefore(db, new Date(now + 2 * HOUR).toISOString()) : Promise.resolve([]),
  ]);
  const byId = new Map<string, StoredCase>();
  for (const row of lists.flat()) byId.set(row.id, row);
  return [...byId.values()];
}

/** Compute the alerts that hold now and store any new one; returns those to sound now. */
export async function evaluateAlerts(db: RelayDb, station: Station, now: number): Promise<Alert[]> {
  const cases = await candidateCases(db, station, now);
  const holding = alertsForCases(cases.map(toCaseState), station, now, loadDefaultCatalogue());
  const activeIds = new Set(holding.map((a) => a.id));
  return db.transaction('rw', db.alerts, async () => {
    const rows = await db.alerts.bulkGet(holding.map((a) => a.id));
    const fresh: AlertRow[] = [];
    const lastSounded = new Map<string, number>();
    holding.forEach((a, i) => {
      const row = rows[i];
      if (!row) {
        fresh.push({
          id: a.id,
          caseId: a.caseId,
          caseNo: a.caseNo,
          kind: a.kind,
          title: a.title,
          body: a.body,
          urgent: a.urgent,
          raisedAt: new Date(now).toISOString(),
          lastNotifiedAt: null,
          repeatEveryMs: a.repeatEveryMs,
          ackedAt: null,
          ackedBy: null,
        });
      } else if (row.lastNotifiedAt) {
        lastSounded.set(a.id, Date.parse(row.lastNotifiedAt));
      }
    });
    if (fresh.length) await db.alerts.bulkPut(fresh);
    const acked = new Set(rows.filter((r) => r?.ackedAt).map((r) => r!.id));
    const toSound = alertsToSound(holding.filter((a) => !acked.has(a.id)), lastSounded, now);
    const stamp = new Date(now).toISOString();
    for (const a of toSound) await db.alerts.update(a.id, { lastNotifiedAt: stamp });
    const list = await db.alerts.filter((r) => r.ackedAt === null).toArray();
    useAlerts.setState({
      alerts: list
        .map((r) => ({ ...r, active: activeIds.has(r.id) }))
        .sort((a, b) => Number(b.active) - Number(a.active) || Number(b.urgent) - Number(a.urgent) || (a.raisedAt < b.raisedAt ? 1 : -1)),
    });
    return toSound;
  });
}

export async function acknowledgeAlert(db: RelayDb, id: string, operator: string): Promise<void> {
  await acknowledgeAlerts(db, [id], operator);
}

/** Acknowledge several alerts at once (a backlog after a sync), in one transaction. */
export async function acknowledgeAlerts(db: RelayDb, ids: readonly string[], operator: string): Promise<void> {
  if (ids.length === 0) return;
  const ackedAt = new Date().toISOString();
  await db.transaction('rw', db.alerts, async () => {
    const rows = (await db.alerts.bulkGet([...ids])).filter((r): r is AlertRow => Boolean(r) && r!.ackedAt === null);
    await db.alerts.bulkPut(rows.map((r) => ({ ...r, ackedAt, ackedBy: operator })));
  });
  const gone = new Set(ids);
  useAlerts.setState((s) => ({ alerts: s.alerts.filter((a) => !gone.has(a.id)) }));
}

/** Start the alert centre; returns a stop function. */
export function startAlertCenter(db: RelayDb, station: () => Station | null, intervalMs = 15_000): { stop(): void; check(): Promise<void> } {
  let running = false;
  // a check asked for while one runs (new data, the clock's tick) runs again right after it,
  // on what is there by then: dropping it would leave a change unseen until the next tick
  let again = false;
  const check = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        const st = station();
        if (!st) return;
        const toSound = await evaluateAlerts(db, st, Date.now());
        for (const n of notificationsFor(toSound)) void shell.notify(n);
        if (toSound.length) playAlarm(toSound.some((a) => a.urgent));
      } while (again);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void check(), intervalMs);
  void check();
  return { stop: () => clearInterval(timer), check };
}

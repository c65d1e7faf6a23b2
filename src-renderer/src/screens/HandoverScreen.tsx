/**
 * 交接班 (F6): the outgoing shift chooses its window, names who hands over and who takes
 * over, writes what the next shift must know, and generates the sheet from every event this
 * desk holds. The sheet prints masked (脱敏); the full personal data can be shown on screen
 * only. "确认交班" records the sheet as a 'shift.handover' event (waiting in the outbox like
 * any other record), and every past handover can be printed again exactly as it was.
 */
import '@fontsource/noto-sans-sc/400.css';
import '@fontsource/noto-sans-sc/700.css';
import '../print.css';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { loadDefaultCatalogue, type RelayEvent } from '../../../src-common/domain';
import {
  buildHandoverSheet,
  handoverPayload,
  maskSheet,
  readHandoverSheet,
  type HandoverSheet,
} from '../../../src-common/reports';
import { useDesk } from '../app/desk-store';
import { saveStation } from '../app/station-settings';
import { formatTime, fromLocalInput, toLocalInput } from '../app/format';
import { shell } from '../shell';
import { readAllEvents } from '../store/hub-seqs';
import { recordHandover } from '../store/record-handover';
import { describeWriteFailure } from '../store/write-failure';
import { HandoverSheetView } from './HandoverSheetView';

const HOUR = 3_600_000;
const DEFAULT_SHIFT_HOURS = 12;

/** Names typed into one box: separated by 、，, ; or spaces. */
export function splitNames(text: string): string[] {
  return text
    .split(/[、，,;；\s]+/)
    .map((n) => n.trim())
    .filter((n) => n !== '');
}

interface PastHandover {
  id: string;
  at: string;
  operator: string;
  shiftStart: string;
  shiftEnd: string;
  outgoing: string[];
  incoming: string[];
  pending: boolean;
  sheet: unknown;
}

type Viewing = { kind: 'draft' } | { kind: 'stored'; id: string; sheet: HandoverSheet; at: string };

function fileStamp(iso: string): string {
  return formatTime(iso).replace(/[-: ]/g, '').slice(0, 12);
}

function waitForPaint(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve())));
}

/** Before printing: the bundled font must have arrived, or paper gets blank boxes. */
async function readyToPrint(): Promise<void> {
  await waitForPaint();
  try {
    await document.fonts?.ready;
  } catch {
    // printing with a fallback font beats not printing
  }
}

export function HandoverScreen() {
  const db = useDesk((s) => s.db)!;
  const station = useDesk((s) => s.station)!;
  const dataVersion = useDesk((s) => s.dataVersion);
  const toast = useDesk((s) => s.toast);

  /** The incoming shift takes the desk: its operators are named on what it records from now on. */
  async function takeOver() {
    const names = splitNames(incoming).join('、');
    if (!names) return;
    try {
      const next = await saveStation(db, { ...station, operator: names });
      useDesk.getState().setStation(next);
      toast('ok', `交接班：当前值班员为 ${next.operator}`);
    } catch (e) {
      toast('error', `未能更换值班员：${String((e as Error)?.message ?? e)}`);
    }
  }

  const [start, setStart] = useState<string | null>(null);
  const [startNote, setStartNote] = useState('');
  /** null: "now" at the moment of generating */
  const [end, setEnd] = useState<string | null>(null);
  const [outgoing, setOutgoing] = useState(station.operator);
  const [incoming, setIncoming] = useState('');
  const [notes, setNotes] = useState('');
  const [showFull, setShowFull] = useState(false);
  const [draft, setDraft] = useState<{ sheet: HandoverSheet; start: string; end: string | null } | null>(null);
  const [confirmed, setConfirmed] = useState<{ id: string; at: string } | null>(null);
  const [viewing, setViewing] = useState<Viewing>({ kind: 'draft' });
  const [past, setPast] = useState<PastHandover[] | null>(null);
  const [busy, setBusy] = useState<'' | 'generate' | 'confirm' | 'pdf'>('');
  const [error, setError] = useState('');
  const [printAfterRender, setPrintAfterRender] = useState(0);

  // past handovers of this station (rare events: a scan of this station's own events)
  useEffect(() => {
    let live = true;
    void (async () => {
      const events = (await db.events
        .where('[stationId+seq]')
        .between([station.stationId, 0], [station.stationId, Number.MAX_SAFE_INTEGER], true, true)
        .filter((e) => e.type === 'shift.handover')
        .toArray()) as Array<RelayEvent<'shift.handover'>>;
      const queued = await db.outbox.bulkGet(events.map((e) => e.id));
      const rows: PastHandover[] = events
        .map((e, i) => ({
          id: e.id,
          at: e.at,
          operator: e.operator,
          shiftStart: e.payload.shiftStart,
          shiftEnd: e.payload.shiftEnd,
          outgoing: e.payload.outgoing,
          incoming: e.payload.incoming,
          pending: Boolean(queued[i]),
          sheet: e.payload.sheet,
        }))
        .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
      if (live) setPast(rows);
    })();
    return () => {
      live = false;
    };
  }, [db, station.stationId, dataVersion]);

  // the default window: since the last handover of this station, else the last 12 hours
  useEffect(() => {
    if (past === null || start !== null) return;
    const now = Date.now();
    const last = past.find((p) => Date.parse(p.shiftEnd) < now);
    if (last) {
      setStart(last.shiftEnd);
      setStartNote(`自上次交班（${formatTime(last.shiftEnd)}）起`);
    } else {
      setStart(new Date(now - DEFAULT_SHIFT_HOURS * HOUR).toISOString());
      setStartNote(`最近 ${DEFAULT_SHIFT_HOURS} 小时`);
    }
  }, [past, start]);

  // what is on the sheet: the generated counts and items, with the names and notes as typed now
  const filled = useMemo<HandoverSheet | null>(() => {
    if (!draft) return null;
    const out = splitNames(outgoing);
    return {
      ...draft.sheet,
      operators: out,
      notes,
      signatures: {
        outgoing: { ...draft.sheet.signatures.outgoing, names: out },
        incoming: { ...draft.sheet.signatures.incoming, names: splitNames(incoming) },
      },
    };
  }, [draft, outgoing, incoming, notes]);
  const masked = useMemo(() => (filled ? maskSheet(filled) : null), [filled]);
  const stale = draft !== null && (draft.start !== start || draft.end !== end);

  const generate = useCallback(async () => {
    setError('');
    if (!start) return;
    const shiftEnd = end ?? new Date().toISOString();
    if (!(Date.parse(start) < Date.parse(shiftEnd))) {
      setError('班次开始时间须早于结束时间。');
      return;
    }
    if (splitNames(outgoing).length === 0) {
      setError('请填写交班人。');
      return;
    }
    setBusy('generate');
    try {
      const [events, unsynced] = await Promise.all([readAllEvents(db), db.outbox.toCollection().primaryKeys()]);
      const sheet = buildHandoverSheet({
        station,
        shiftStart: start,
        shiftEnd,
        operators: splitNames(outgoing),
        events,
        unsyncedEventIds: new Set(unsynced),
        now: new Date().toISOString(),
        catalogue: loadDefaultCatalogue(),
      });
      setDraft({ sheet, start, end });
      setConfirmed(null);
      setViewing({ kind: 'draft' });
    } catch (e) {
      setError(`生成失败：${String((e as Error)?.message ?? e)}`);
    } finally {
      setBusy('');
    }
  }, [db, station, start, end, outgoing]);

  async function confirm() {
    if (!masked || stale) return;
    setError('');
    setBusy('confirm');
    try {
      // the stored sheet is the one on paper: masked, with the names and notes filled in
      const payload = handoverPayload(masked, { incoming: masked.signatures.incoming.names, notes: masked.notes });
      const event = await recordHandover(db, station, payload);
      setConfirmed({ id: event.id, at: event.at });
      useDesk.getState().recorded();
      toast('ok', `已确认交班（${formatTime(event.at)}），交接班记录已保存，等待上传中心。`);
    } catch (e) {
      setError(describeWriteFailure(e, '确认交班'));
    } finally {
      setBusy('');
    }
  }

  function view(p: PastHandover, andPrint: boolean) {
    try {
      setViewing({ kind: 'stored', id: p.id, sheet: readHandoverSheet(p.sheet), at: p.at });
      if (andPrint) setPrintAfterRender((n) => n + 1);
    } catch (e) {
      toast('error', `这份交接班记录无法读取：${String((e as Error)?.message ?? e)}`);
    }
  }

  const print = useCallback(async () => {
    await readyToPrint();
    const r = await shell.print({ silent: false });
    if (!r.ok && r.reason) toast('error', `打印未完成：${r.reason}`);
  }, [toast]);

  useEffect(() => {
    if (printAfterRender > 0) void print();
  }, [printAfterRender, print]);

  async function savePdf(sheet: HandoverSheet) {
    setBusy('pdf');
    try {
      await readyToPrint();
      const r = await shell.printToPdf({ suggestedName: `交接班记录-${sheet.station.name}-${fileStamp(sheet.shift.end)}.pdf` });
      if (r.saved) toast('ok', `已另存为 PDF${r.path ? `：${r.path}` : ''}`);
      else if (r.reason) toast('info', r.reason);
    } finally {
      setBusy('');
    }
  }

  const shown: HandoverSheet | null = viewing.kind === 'stored' ? viewing.sheet : masked;
  const startValue = start ? toLocalInput(start) : '';
  const endValue = end ? toLocalInput(end) : '';

  return (
    <div className="handover-screen">
      <div className="handover-side no-print">
        <section className="panel" aria-label="交接班设置">
          <h2>交接班</h2>
          <div className="field">
            <label htmlFor="ho-start">班次开始</label>
            <input
              id="ho-start"
              type="datetime-local"
              value={startValue}
              onChange={(e) => {
                const v = fromLocalInput(e.target.value);
                if (v) {
                  setStart(v);
                  setStartNote('');
                }
              }}
            />
            {startNote && <span className="hint">默认：{startNote}</span>}
          </div>
          <div className="field">
            <label htmlFor="ho-end">班次结束</label>
            <input
              id="ho-end"
              type="datetime-local"
              value={endValue}
              placeholder="现在"
              onChange={(e) => setEnd(fromLocalInput(e.target.value) || null)}
            />
            <span className="hint">
              {end === null ? '留空即截至生成时刻（现在）' : ''}
              {end !== null && (
                <button type="button" className="chip" onClick={() => setEnd(null)}>截至现在</button>
              )}{' '}
              <button
                type="button"
                className="chip"
                onClick={() => {
                  setEnd(null);
                  setStart(new Date(Date.now() - DEFAULT_SHIFT_HOURS * HOUR).toISOString());
                  setStartNote(`最近 ${DEFAULT_SHIFT_HOURS} 小时`);
                }}
              >
                最近 12 小时
              </button>
            </span>
          </div>
          <div className="field">
            <label htmlFor="ho-out">交班人</label>
            <input id="ho-out" type="text" value={outgoing} onChange={(e) => setOutgoing(e.target.value)} />
            <span className="hint">多人用顿号或空格分隔</span>
          </div>
          <div className="field">
            <label htmlFor="ho-in">接班人</label>
            <input id="ho-in" type="text" value={incoming} onChange={(e) => setIncoming(e.target.value)} placeholder="接班值班员姓名" />
          </div>
          <div className="field">
            <label htmlFor="ho-notes">交接事项</label>
            <textarea
              id="ho-notes"
              value={notes}
              onChange={(e) => setNotes(e.target.value)}
              placeholder="需要下一班跟进的事项、设备情况、上级交办等"
              maxLength={4000}
            />
          </div>
          {error && <p className="form-error" role="alert" data-testid="handover-error" style={{ marginTop: 12 }}>{error}</p>}
          <div className="btn-row" style={{ marginTop: 12 }}>
            <button type="button" className="btn primary" disabled={busy !== '' || !start} onClick={() => void generate()}>
              {busy === 'generate' ? '正在生成…' : '生成交接班记录'}
            </button>
          </div>
        </section>

        <section className="panel" aria-label="历次交接班">
          <h2>历次交接班</h2>
          {past === null ? (
            <p className="hint">正在读取…</p>
          ) : past.length === 0 ? (
            <p className="hint">本站还没有确认过的交接班记录。</p>
          ) : (
            <table className="past-list" data-testid="past-handovers">
              <thead>
                <tr>
                  <th scope="col">交班时间</th>
                  <th scope="col">交班 → 接班</th>
                  <th scope="col" aria-label="操作" />
                </tr>
              </thead>
              <tbody>
                {past.slice(0, 30).map((p) => (
                  <tr key={p.id} data-testid="past-handover" className={viewing.kind === 'stored' && viewing.id === p.id ? 'viewing' : ''}>
                    <td>
                      {formatTime(p.at)}
                      <span className="hint" style={{ display: 'block' }}>
                        {formatTime(p.shiftStart).slice(5)} 至 {formatTime(p.shiftEnd).slice(5)}
                      </span>
                      {p.pending && <span className="chip warn">待上传</span>}
                    </td>
                    <td>
                      {p.outgoing.join('、')} → {p.incoming.length > 0 ? p.incoming.join('、') : '—'}
                    </td>
                    <td className="actions-cell">
                      <button type="button" className="btn" onClick={() => view(p, false)}>查看</button>{' '}
                      <button type="button" className="btn" onClick={() => view(p, true)}>重新打印</button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {past && past.length > 30 && <p className="hint">仅列出最近 30 次，共 {past.length} 次。</p>}
        </section>
      </div>

      <div className="handover-main">
        {shown === null ? (
          <section className="panel no-print">
            <h2>交接班记录</h2>
            <p className="hint">
              选择班次时间、填写交班人与接班人后，点击“生成交接班记录”。记录由本机保存的全部事件生成，包括尚未上传市级中心的记录；打印件中的求助人姓名和电话默认脱敏。
            </p>
          </section>
        ) : (
          <>
            <div className="sheet-toolbar no-print">
              {viewing.kind === 'draft' ? (
                <label className="checks">
                  <input type="checkbox" checked={showFull} onChange={(e) => setShowFull(e.target.checked)} />
                  显示完整个人信息（仅屏幕，打印件仍脱敏）
                </label>
              ) : (
                <button type="button" className="btn" onClick={() => setViewing({ kind: 'draft' })} disabled={!masked}>
                  返回本班记录
                </button>
              )}
              <span className="spacer" />
              <button type="button" className="btn" onClick={() => void print()}>打印</button>
              <button type="button" className="btn" disabled={busy !== ''} onClick={() => void savePdf(shown)}>另存为 PDF</button>
              {viewing.kind === 'draft' && (
                <button
                  type="button"
                  className="btn primary"
                  disabled={busy !== '' || stale || confirmed !== null}
                  onClick={() => void confirm()}
                >
                  {busy === 'confirm' ? '正在保存…' : '确认交班'}
                </button>
              )}
            </div>
            {viewing.kind === 'stored' && (
              <p className="sheet-state no-print" data-testid="sheet-state">
                这是 {formatTime(viewing.at)} 确认的交接班记录，按当时保存的内容原样显示与打印。
              </p>
            )}
            {viewing.kind === 'draft' && stale && (
              <p className="sheet-state warn no-print" data-testid="sheet-state">班次时间已改动，请重新生成后再确认交班。</p>
            )}
            {viewing.kind === 'draft' && confirmed && (
              <div className="sheet-state ok no-print" data-testid="sheet-state">
                已于 {formatTime(confirmed.at)} 确认交班，记录已保存在本机，等待上传中心。
                {/* the next shift's actions carry its own name from the first one */}
                {splitNames(incoming).length > 0 && station.operator !== splitNames(incoming).join('、') && (
                  <button type="button" className="btn primary" data-testid="take-over" style={{ marginLeft: 12 }} onClick={() => void takeOver()}>
                    由 {splitNames(incoming).join('、')} 接班
                  </button>
                )}
              </div>
            )}
            {viewing.kind === 'draft' && showFull && filled ? (
              <>
                <div className="screen-only">
                  <HandoverSheetView sheet={filled} caption="屏幕查看（完整信息）" testId="handover-sheet-full" />
                </div>
                <div className="print-only">
                  <HandoverSheetView sheet={shown} />
                </div>
              </>
            ) : (
              <HandoverSheetView sheet={shown} />
            )}
          </>
        )}
      </div>
    </div>
  );
}

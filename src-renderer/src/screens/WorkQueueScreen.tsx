/**
 * 待办: what this desk must act on next, by role, overdue and urgent first.
 */
import { useEffect, useState } from 'react';
import {
  caseDeadlineState,
  DEADLINE_LABELS,
  findCategory,
  loadDefaultCatalogue,
  STATUS_LABELS,
  type Station,
} from '../../../src-common/domain';
import { useDesk } from '../app/desk-store';
import { formatTime, relativeDue } from '../app/format';
import type { RelayDb, StoredCase } from '../store/db';
import { toCaseState } from '../store/projection';
import { awaitingMe, dueBefore, ownedOpen, QUEUE_LIMIT } from '../store/work-queue';

interface Section {
  key: string;
  title: string;
  hint: string;
  rows: StoredCase[];
}

const HOUR = 3_600_000;

function urgencyFirst(rows: StoredCase[], now: number): StoredCase[] {
  const rank = (r: StoredCase) => {
    const d = caseDeadlineState(toCaseState(r), now);
    return (d === 'overdue' ? 0 : d === 'dueSoon' ? 1 : 2) * 2 + (r.urgency === 'urgent' ? 0 : 1);
  };
  return [...rows].sort((a, b) => rank(a) - rank(b) || (a.dueKey < b.dueKey ? -1 : a.dueKey > b.dueKey ? 1 : 0));
}

export async function loadSections(db: RelayDb, station: Station, now: number): Promise<Section[]> {
  const mine = (statuses: Parameters<typeof ownedOpen>[2]) => ownedOpen(db, station.stationId, statuses).then((r) => urgencyFirst(r, now));
  const incoming = await awaitingMe(db, station).then((r) => urgencyFirst(r, now));
  switch (station.role) {
    case 'police110':
      return [
        { key: 'new', title: '待甄别', hint: '已登记尚未甄别的来电', rows: await mine(['new']) },
        { key: 'transferred', title: '转办待签收', hint: '已转出、对方尚未签收：仍由本站负责（首接责任）', rows: await mine(['transferred']) },
        { key: 'pending', title: '待转办', hint: '非警务事项，尚未转出', rows: await mine(['pending', 'returned']) },
        { key: 'incoming', title: '转来待签收', hint: '其他站点转给本站的事项', rows: incoming },
        { key: 'police', title: '警务处置中', hint: '由 110 处置的警务类事项', rows: await mine(['police']) },
      ];
    case 'hotline12345':
      return [
        { key: 'incoming', title: '待签收转办', hint: '110 等转来的事项，签收后由本站负责', rows: incoming },
        { key: 'assign', title: '待派单', hint: '含被退回、需重新派单的事项', rows: await mine(['pending', 'returned']) },
        { key: 'callback', title: '待回访办结', hint: '部门已反馈，请回访求助人后办结', rows: await mine(['feedback']) },
        { key: 'assigned', title: '已派单待签收', hint: '部门尚未签收，请跟踪催办', rows: await mine(['assigned', 'transferred']) },
      ];
    case 'unit':
      return [
        { key: 'incoming', title: '待签收派单', hint: '交办给本单位的事项：签收，或非本单位职责的退回并写明理由', rows: incoming },
        { key: 'acting', title: '办理中', hint: '已签收，请在时限内反馈办理结果', rows: await mine(['acknowledged']) },
      ];
    case 'supervisor': {
      const soon = new Date(now + 2 * HOUR).toISOString();
      const due = urgencyFirst(await dueBefore(db, soon), now);
      const iso = new Date(now).toISOString();
      return [
        { key: 'overdue', title: '已超时', hint: '本辖区已超过时限的事项', rows: due.filter((r) => r.dueKey < iso) },
        { key: 'soon', title: '即将到期', hint: '两小时内到期', rows: due.filter((r) => r.dueKey >= iso) },
      ];
    }
  }
}

/** rows a section shows before 显示全部: the most urgent first, then the next section */
const SECTION_ROWS = 20;

export function WorkQueueScreen() {
  const db = useDesk((s) => s.db)!;
  const station = useDesk((s) => s.station)!;
  const dataVersion = useDesk((s) => s.dataVersion);
  const navigate = useDesk((s) => s.navigate);
  // sections shown whole (the others show their first SECTION_ROWS rows)
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  const [sections, setSections] = useState<Section[] | null>(null);
  const [tick, setTick] = useState(0);
  const catalogue = loadDefaultCatalogue();

  useEffect(() => {
    // deadlines keep running while offline: look again every half minute
    const t = setInterval(() => setTick((n) => n + 1), 30_000);
    return () => clearInterval(t);
  }, []);

  useEffect(() => {
    let live = true;
    void loadSections(db, station, Date.now()).then((s) => live && setSections(s));
    return () => {
      live = false;
    };
  }, [db, station, dataVersion, tick]);

  if (!sections) return <p className="hint">加载中…</p>;
  const now = Date.now();
  return (
    <div className="work-queue">
      {sections.map((section) => (
        <section key={section.key} className="panel" data-testid={`queue-${section.key}`} aria-label={section.title}>
          <h2>
            {section.title} <span className="chip">{section.rows.length >= QUEUE_LIMIT ? `${QUEUE_LIMIT}+` : section.rows.length}</span>
            <small className="hint" style={{ marginLeft: 8, fontWeight: 400 }}>{section.hint}</small>
          </h2>
          {section.rows.length === 0 ? (
            <p className="hint">暂无</p>
          ) : (
            <div className="queue-rows">
              {(expanded.has(section.key) ? section.rows : section.rows.slice(0, SECTION_ROWS)).map((r) => {
                const state = toCaseState(r);
                const d = caseDeadlineState(state, now);
                const category = r.category ? findCategory(catalogue, r.category)?.name : '未分类';
                return (
                  <button type="button" key={r.id} className={`queue-row ${r.urgency === 'urgent' ? 'urgent' : ''}`} onClick={() => navigate({ name: 'case', id: r.id })} data-testid="queue-row">
                    <span className="num">{r.caseNo}</span>
                    {r.urgency === 'urgent' ? <span className="chip urgent">紧急</span> : <span className="hint">一般</span>}
                    <span className="chip">{STATUS_LABELS[r.status]}</span>
                    <span>{category}</span>
                    <span className="desc">{r.description}</span>
                    <span className="hint">{r.location.district}</span>
                    {d === 'none' ? (
                      <span className="hint">{formatTime(r.updatedAt)}</span>
                    ) : (
                      <span className={`chip ${d === 'overdue' ? 'urgent' : d === 'dueSoon' ? 'warn' : 'ok'}`}>
                        {DEADLINE_LABELS[d]} · {relativeDue(r.dueAt, now)}
                      </span>
                    )}
                  </button>
                );
              })}
              {section.rows.length > SECTION_ROWS && !expanded.has(section.key) && (
                // a long section (a backlog after a night offline) must not bury the ones below it
                <button type="button" className="btn" data-testid={`queue-more-${section.key}`} onClick={() => setExpanded((e) => new Set([...e, section.key]))}>
                  显示全部（{section.rows.length >= QUEUE_LIMIT ? `${QUEUE_LIMIT}+` : section.rows.length}）
                </button>
              )}
            </div>
          )}
        </section>
      ))}
    </div>
  );
}

/** Case detail: every field, the timeline of its events, and what this desk can do next. */
import { useEffect, useState } from 'react';
import {
  CHANNEL_LABELS,
  compareForFold,
  DEADLINE_LABELS,
  caseDeadlineState,
  departmentOf,
  EVENT_TYPE_LABELS,
  findCategory,
  loadDefaultCatalogue,
  NATURE_LABELS,
  STATUS_LABELS,
  URGENCY_LABELS,
  VERDICT_LABELS,
  type Command,
} from '../../../src-common/domain';
import { useDesk } from '../app/desk-store';
import { formatTime, relativeDue } from '../app/format';
import { timeLimitRules, workCalendar } from '../app/rules';
import type { StoredCase, StoredEvent } from '../store/db';
import { withHubSeqs } from '../store/hub-seqs';
import { toCaseState } from '../store/projection';
import { recordCommands } from '../store/record';
import { describeWriteFailure } from '../store/write-failure';
import { CaseActions } from './CaseActions';
import { describeEvent } from './timeline-text';

export function CaseDetailScreen({ caseId }: { caseId: string }) {
  const db = useDesk((s) => s.db)!;
  const station = useDesk((s) => s.station)!;
  const dataVersion = useDesk((s) => s.dataVersion);
  const navigate = useDesk((s) => s.navigate);
  const [row, setRow] = useState<StoredCase | null | undefined>(undefined);
  const [events, setEvents] = useState<StoredEvent[]>([]);
  const [pendingIds, setPendingIds] = useState<Set<string>>(new Set());
  /** events the hub refused for good: kept and shown, but not part of the case */
  const [refused, setRefused] = useState<Map<string, string>>(new Map());
  const catalogue = loadDefaultCatalogue();

  useEffect(() => {
    let live = true;
    void db.transaction('r', [db.cases, db.events, db.hubAcks, db.outbox, db.rejected], async () => {
      const c = await db.cases.get(caseId);
      const evs = await withHubSeqs(db, await db.events.where('caseId').equals(caseId).toArray());
      const waiting = await db.outbox.bulkGet(evs.map((e) => e.id));
      const refusedRows = await db.rejected.bulkGet(evs.map((e) => e.id));
      return { c, evs, waiting, refusedRows };
    }).then(({ c, evs, waiting, refusedRows }) => {
      if (!live) return;
      setRow(c ?? null);
      setEvents(evs.sort(compareForFold));
      setPendingIds(new Set(waiting.filter(Boolean).map((w) => w!.eventId)));
      setRefused(new Map(refusedRows.filter(Boolean).map((r) => [r!.eventId, r!.reason])));
    });
    return () => {
      live = false;
    };
  }, [db, caseId, dataVersion]);

  if (row === undefined) return <p className="hint">加载中…</p>;
  if (row === null) {
    // no case stands without its creation: the hub may have refused it for good; what this
    // desk recorded on it stays, and is shown
    const creationRefused = events.some((e) => e.type === 'case.created' && refused.has(e.id));
    return (
      <div className="panel" data-testid="case-not-standing">
        <p>{creationRefused ? '此工单的受理记录已被中心拒收，工单不成立；本机记录的经过仍保留如下。' : '未找到此工单。'}</p>
        {events.length > 0 && (
          <ol className="timeline" data-testid="timeline">
            {events.map((e) => (
              <li key={e.id} className={refused.has(e.id) ? 'refused' : ''}>
                <div className="what">{EVENT_TYPE_LABELS[e.type]}</div>
                <div className="meta">{formatTime(e.at)} · {e.operator} · {e.stationId}{refused.has(e.id) ? ' · 被中心拒收' : ''}</div>
                <div className="body">{describeEvent(e)}</div>
                {refused.has(e.id) && <div className="body refused-reason">拒收原因：{refused.get(e.id)}</div>}
              </li>
            ))}
          </ol>
        )}
        <button type="button" className="btn" onClick={() => navigate({ name: 'cases' })}>返回列表</button>
      </div>
    );
  }
  const state = toCaseState(row);
  const category = state.category ? findCategory(catalogue, state.category) : undefined;
  const due = caseDeadlineState(state, Date.now());

  async function record(commands: Command[], done: string): Promise<boolean> {
    try {
      // extensions held to the cap this desk's calendar shows (CaseActions)
      await recordCommands(db, { station, limits: { rules: timeLimitRules(), calendar: workCalendar() } }, commands);
      useDesk.getState().toast('ok', done);
      useDesk.getState().recorded();
      return true;
    } catch (e) {
      useDesk.getState().toast('error', describeWriteFailure(e, '保存'));
      return false;
    }
  }

  return (
    <div>
      <div className="head-line">
        <button type="button" className="btn" onClick={() => navigate({ name: 'cases' })}>← 返回列表</button>
        <h1 data-testid="case-no">{state.caseNo}</h1>
        <span className="chip" data-testid="case-status">{STATUS_LABELS[state.status]}</span>
        {state.urgency === 'urgent' && <span className="chip urgent">紧急</span>}
        {due !== 'none' && (
          <span className={`chip ${due === 'overdue' ? 'urgent' : due === 'dueSoon' ? 'warn' : 'ok'}`}>
            {DEADLINE_LABELS[due]} · {relativeDue(state.dueAt, Date.now())}
          </span>
        )}
      </div>
      {state.conflicts.length > 0 && (
        <div className="conflict" role="alert">
          <strong>有 {state.conflicts.length} 项操作与其他站点的操作冲突，未生效，请核实处理：</strong>
          <ul>
            {state.conflicts.map((c) => (
              <li key={c.eventId}>{formatTime(c.at)} {c.stationId} 的“{EVENT_TYPE_LABELS[c.type as keyof typeof EVENT_TYPE_LABELS] ?? c.type}”：{c.reason}</li>
            ))}
          </ul>
        </div>
      )}
      <div className="detail">
        <div className="grid">
          <section className="panel">
            <h2>诉求内容</h2>
            <p className="description" data-testid="case-description">{state.description}</p>
            <dl className="kv kv-2">
              <dt>来源渠道</dt><dd>{CHANNEL_LABELS[state.channel]}</dd>
              <dt>接报时间</dt><dd>{formatTime(state.receivedAt)}</dd>
              <dt>受理站点</dt><dd>{state.receivedBy.name}</dd>
              <dt>求助人</dt>
              <dd>
                {state.caller.anonymous ? '匿名' : state.caller.name || '—'} {state.caller.phone}
                {state.caller.confidential && <span className="chip warn" style={{ marginLeft: 6 }}>要求保密</span>}
              </dd>
              <dt>地点</dt><dd>{state.location.district} {state.location.address}</dd>
              <dt>性质</dt><dd>{NATURE_LABELS[state.nature]}</dd>
              <dt>类别</dt><dd>{category ? `${category.name}（${departmentOf(catalogue, category.code)?.name ?? ''}）` : '未分类'}</dd>
              <dt>紧急程度</dt><dd>{URGENCY_LABELS[state.urgency]}</dd>
              <dt>甄别</dt><dd>{state.screening ? `${VERDICT_LABELS[state.screening.verdict]}${state.screening.reason ? `：${state.screening.reason}` : ''}` : '—'}</dd>
              <dt>当前责任方</dt><dd data-testid="case-owner">{state.owner.name}{state.awaiting && <span className="chip warn" style={{ marginLeft: 6 }}>等待 {state.awaiting.name} 签收</span>}</dd>
              <dt>时限</dt><dd data-testid="case-due">{formatTime(state.dueAt)}</dd>
              <dt>最后更新</dt><dd>{formatTime(state.updatedAt)}</dd>
            </dl>
          </section>
          <CaseActions key={`${state.id}:${state.eventCount}`} state={state} station={station} onRecord={record} />
        </div>
        <section className="panel">
          <h2>处理经过（{events.length}）</h2>
          <ol className="timeline" data-testid="timeline">
            {events.map((e) => (
              <li key={e.id} className={pendingIds.has(e.id) ? 'pending' : refused.has(e.id) ? 'refused' : ''}>
                <div className="what">{EVENT_TYPE_LABELS[e.type]}</div>
                <div className="meta">
                  {formatTime(e.at)} · {e.operator} · {e.stationId}
                  {pendingIds.has(e.id) ? ' · 待发送' : refused.has(e.id) ? ' · 被中心拒收（不计入工单）' : e.hubSeq !== null ? ' · 已同步' : ''}
                </div>
                <div className="body">{describeEvent(e)}</div>
                {refused.has(e.id) && <div className="body refused-reason">拒收原因：{refused.get(e.id)}</div>}
              </li>
            ))}
          </ol>
        </section>
      </div>
    </div>
  );
}


/** Case detail: every field, the timeline of its events, and what this desk can do next. */
import { useEffect, useState } from 'react';
import {
  CHANNEL_LABELS,
  compareForFold,
  DEADLINE_LABELS,
  deadlineState,
  departmentOf,
  DomainError,
  EVENT_TYPE_LABELS,
  findCategory,
  HOTLINE_TARGET,
  loadDefaultCatalogue,
  NATURE_LABELS,
  refusalReason,
  STATUS_LABELS,
  URGENCY_LABELS,
  ValidationError,
  VERDICT_LABELS,
  VERDICTS,
  transferAckDueBy,
  type CaseState,
  type Command,
  type Station,
  type Verdict,
} from '../../../src-common/domain';
import { useDesk } from '../app/desk-store';
import { formatTime, relativeDue } from '../app/format';
import type { StoredCase, StoredEvent } from '../store/db';
import { toCaseState } from '../store/projection';
import { recordCommands } from '../store/record';
import { describeEvent } from './timeline-text';

export function CaseDetailScreen({ caseId }: { caseId: string }) {
  const db = useDesk((s) => s.db)!;
  const station = useDesk((s) => s.station)!;
  const dataVersion = useDesk((s) => s.dataVersion);
  const navigate = useDesk((s) => s.navigate);
  const [row, setRow] = useState<StoredCase | null | undefined>(undefined);
  const [events, setEvents] = useState<StoredEvent[]>([]);
  const [pendingIds, setPendingIds] = useState<Set<string>>(new Set());
  const catalogue = loadDefaultCatalogue();

  useEffect(() => {
    let live = true;
    void db.transaction('r', [db.cases, db.events, db.outbox], async () => {
      const c = await db.cases.get(caseId);
      const evs = await db.events.where('caseId').equals(caseId).toArray();
      const waiting = await db.outbox.bulkGet(evs.map((e) => e.id));
      return { c, evs, waiting };
    }).then(({ c, evs, waiting }) => {
      if (!live) return;
      setRow(c ?? null);
      setEvents(evs.sort(compareForFold));
      setPendingIds(new Set(waiting.filter(Boolean).map((w) => w!.eventId)));
    });
    return () => {
      live = false;
    };
  }, [db, caseId, dataVersion]);

  if (row === undefined) return <p className="hint">加载中…</p>;
  if (row === null) {
    return (
      <div className="panel">
        <p>未找到此工单。</p>
        <button type="button" className="btn" onClick={() => navigate({ name: 'cases' })}>返回列表</button>
      </div>
    );
  }
  const state = toCaseState(row);
  const category = state.category ? findCategory(catalogue, state.category) : undefined;
  const due = deadlineState(state.dueAt, Date.now());

  async function record(commands: Command[], done: string): Promise<boolean> {
    try {
      await recordCommands(db, { station }, commands);
      useDesk.getState().toast('ok', done);
      useDesk.getState().recorded();
      return true;
    } catch (e) {
      const msg = e instanceof DomainError || e instanceof ValidationError ? e.message : `保存失败：${String((e as Error)?.message ?? e)}`;
      useDesk.getState().toast('error', msg);
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
            <dl className="kv">
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
              <dt>时限</dt><dd>{formatTime(state.dueAt)}</dd>
              <dt>最后更新</dt><dd>{formatTime(state.updatedAt)}</dd>
            </dl>
          </section>
          <CaseActions key={`${state.id}:${state.eventCount}`} state={state} station={station} onRecord={record} />
        </div>
        <section className="panel">
          <h2>处理经过（{events.length}）</h2>
          <ol className="timeline" data-testid="timeline">
            {events.map((e) => (
              <li key={e.id} className={pendingIds.has(e.id) ? 'pending' : ''}>
                <div className="what">{EVENT_TYPE_LABELS[e.type]}</div>
                <div className="meta">
                  {formatTime(e.at)} · {e.operator} · {e.stationId}
                  {pendingIds.has(e.id) ? ' · 待发送' : e.hubSeq !== null ? ' · 已同步' : ''}
                </div>
                <div className="body">{describeEvent(e)}</div>
              </li>
            ))}
          </ol>
        </section>
      </div>
    </div>
  );
}

function CaseActions(props: { state: CaseState; station: Station; onRecord: (commands: Command[], done: string) => Promise<boolean> }) {
  const s = props.state;
  const station = props.station;
  const catalogue = loadDefaultCatalogue();
  const [verdict, setVerdict] = useState<Verdict | ''>(s.screening?.verdict ?? '');
  const [reason, setReason] = useState('');
  const [threeWay, setThreeWay] = useState(false);
  const [note, setNote] = useState('');
  const is110 = station.role === 'police110';
  const probe = (type: Command['type'], payload: unknown) =>
    refusalReason(s, { v: 1, id: '', caseId: s.id, stationId: station.stationId, operator: station.operator, seq: 1, at: new Date().toISOString(), type, payload } as never);
  const canScreen = is110 && probe('case.screened', { verdict: 'police', reason: '' }) === null;
  const canTransfer = is110 && probe('case.transferred', { to: HOTLINE_TARGET, threeWayCall: false, note: '', ackDueBy: '' }) === null;
  const target = station.countyMode && s.category
    ? { kind: 'unit' as const, stationId: null, name: departmentOf(catalogue, s.category)?.name ?? '联动单位', department: departmentOf(catalogue, s.category)?.code ?? null }
    : HOTLINE_TARGET;
  return (
    <section className="panel" aria-label="办理">
      <h2>办理</h2>
      {canScreen && (
        <div className="grid" style={{ marginBottom: 12 }}>
          <div className="choices" role="radiogroup" aria-label="甄别结论">
            {VERDICTS.map((v) => (
              <label key={v}><input type="radio" name="detail-verdict" checked={verdict === v} onChange={() => setVerdict(v)} />{VERDICT_LABELS[v]}</label>
            ))}
          </div>
          <input type="text" aria-label="甄别理由" placeholder="甄别理由" value={reason} onChange={(e) => setReason(e.target.value)} />
          <div className="btn-row">
            <button type="button" className="btn" disabled={!verdict} onClick={() => verdict && void props.onRecord([{ caseId: s.id, type: 'case.screened', payload: { verdict, reason } }], '已记录甄别结论')}>
              记录甄别
            </button>
          </div>
        </div>
      )}
      {canTransfer && (
        <div className="grid" style={{ marginBottom: 12 }}>
          <label className="checks"><input type="checkbox" checked={threeWay} onChange={(e) => setThreeWay(e.target.checked)} /> 已进行三方通话</label>
          <div className="btn-row">
            <button
              type="button"
              className="btn primary"
              onClick={() =>
                void props.onRecord(
                  [{ caseId: s.id, type: 'case.transferred', payload: { to: target, threeWayCall: threeWay, note: '', ackDueBy: transferAckDueBy(new Date().toISOString(), s.urgency) } }],
                  `已转办至 ${target.name}，等待发送`,
                )
              }
            >
              转办至 {target.name}
            </button>
          </div>
        </div>
      )}
      <div className="grid">
        <textarea aria-label="备注" placeholder="补充情况、回拨记录等" value={note} onChange={(e) => setNote(e.target.value)} style={{ minHeight: 60 }} />
        <div className="btn-row">
          <button type="button" className="btn" onClick={() => void props.onRecord([{ caseId: s.id, type: 'case.noteAdded', payload: { text: note } }], '已添加备注').then((ok) => ok && setNote(''))}>
            添加备注
          </button>
        </div>
      </div>
    </section>
  );
}

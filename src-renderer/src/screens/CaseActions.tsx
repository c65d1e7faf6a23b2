/**
 * What this desk may do next on a case. Each action is offered only when the domain's role
 * rules allow it (refusalForRole); the store checks again when it records.
 */
import { useMemo, useState, type ReactNode } from 'react';
import {
  callbackDueBy,
  caseReturnBy,
  computeDeadlines,
  departmentOf,
  extensionLimit,
  extensionRefusal,
  FEEDBACK_RESULT_LABELS,
  FEEDBACK_RESULTS,
  findCategory,
  HOTLINE_TARGET,
  loadDefaultCatalogue,
  refusalForRole,
  SATISFACTION_LABELS,
  SATISFACTIONS,
  suggestAssignment,
  targetFor,
  VERDICT_LABELS,
  VERDICTS,
  type CaseState,
  type Command,
  type FeedbackResult,
  type HandoverTarget,
  type Satisfaction,
  type Station,
  type Verdict,
} from '../../../src-common/domain';
import { formatTime } from '../app/format';
import { timeLimitRules, workCalendar } from '../app/rules';

type Record = (commands: Command[], done: string) => Promise<boolean>;

interface Props {
  state: CaseState;
  station: Station;
  onRecord: Record;
}

function Card({ title, children, testId }: { title: string; children: ReactNode; testId: string }) {
  return (
    <div className="action-card" data-testid={testId}>
      <h3>{title}</h3>
      <div className="grid">{children}</div>
    </div>
  );
}

export function CaseActions({ state: s, station, onRecord }: Props) {
  const catalogue = loadDefaultCatalogue();
  const me = { stationId: station.stationId, name: station.name };
  const allowed = (type: Command['type'], payload: unknown) => refusalForRole(s, { type, payload } as never, station) === null;
  const record = (type: Command['type'], payload: unknown, done: string) =>
    onRecord([{ caseId: s.id, type, payload } as Command], done);

  const now = new Date().toISOString();
  const ackOf = s.status === 'transferred' ? 'transfer' : 'assignment';
  const cards: ReactNode[] = [];

  if (allowed('case.acknowledged', { of: ackOf, station: me })) {
    cards.push(
      <Card key="ack" title={ackOf === 'transfer' ? '签收转办' : '签收派单'} testId="action-acknowledge">
        <p className="hint">签收后由本站负责办理（首接责任）。{s.dueAt ? `签收时限：${formatTime(s.dueAt)}` : ''}</p>
        <div className="btn-row">
          <button type="button" className="btn primary" onClick={() => void record('case.acknowledged', { of: ackOf, station: me }, '已签收')}>签收</button>
        </div>
      </Card>,
    );
  }
  if (allowed('case.returned', { reason: 'x', station: me })) {
    // a misrouted assignment goes back within the return window (退回时限), counted from the assignment
    const returnBy = s.assignment && (s.status === 'assigned' || s.status === 'acknowledged') ? caseReturnBy(timeLimitRules(), workCalendar(), s) : null;
    // at 12345 (the assigner) this records a department's return made by phone
    const onBehalf = station.role === 'hotline12345' && s.awaiting !== null && s.owner.stationId === station.stationId;
    cards.push(<ReturnCard key="return" returnBy={onBehalf ? null : returnBy} onBehalf={onBehalf} onReturn={(reason) => record('case.returned', { reason, station: me }, '已退回')} />);
  }
  if (station.role === 'police110' && allowed('case.screened', { verdict: 'nonPolice', reason: '' })) {
    cards.push(<ScreenCard key="screen" current={s.screening?.verdict ?? ''} onScreen={(verdict, reason) => record('case.screened', { verdict, reason }, '已记录甄别结论')} />);
  }
  const transferTarget: HandoverTarget = (() => {
    const dept = station.countyMode && s.category ? departmentOf(catalogue, s.category) : undefined;
    return dept ? { ...targetFor(dept), kind: 'unit' } : HOTLINE_TARGET;
  })();
  const transferDeadlines = computeDeadlines(timeLimitRules(), workCalendar(), { kind: 'transfer', at: now, urgency: s.urgency, nature: s.nature });
  if (allowed('case.transferred', { to: transferTarget, threeWayCall: false, note: '', ackDueBy: transferDeadlines.ackDueBy })) {
    cards.push(
      <TransferCard
        key="transfer"
        target={transferTarget}
        onTransfer={(threeWayCall, note) =>
          record(
            'case.transferred',
            {
              to: transferTarget,
              threeWayCall,
              note,
              ackDueBy: computeDeadlines(timeLimitRules(), workCalendar(), { kind: 'transfer', at: new Date().toISOString(), urgency: s.urgency, nature: s.nature }).ackDueBy,
              ...(transferTarget.kind === 'unit'
                ? { feedbackDueBy: computeDeadlines(timeLimitRules(), workCalendar(), { kind: 'assignment', at: new Date().toISOString(), urgency: s.urgency, nature: s.nature }).feedbackDueBy }
                : {}),
            },
            `已转办至 ${transferTarget.name}`,
          )
        }
      />,
    );
  }
  if (allowed('case.assigned', { lead: HOTLINE_TARGET, assisting: [], note: '', ackDueBy: now, feedbackDueBy: now })) {
    cards.push(<AssignCard key="assign" state={s} onAssign={(payload, name) => record('case.assigned', payload, `已派单至 ${name}`)} />);
  }
  if (allowed('case.feedback', { result: 'resolved', text: 'x', station: me })) {
    cards.push(
      <FeedbackCard
        key="feedback"
        onFeedback={(result, text) => {
          // by when 12345 should call the caller back, from the time limits (回访时限)
          const callbackDue = callbackDueBy(timeLimitRules(), workCalendar(), { feedbackAt: new Date().toISOString(), urgency: s.urgency, nature: s.nature });
          return record('case.feedback', { result, text, station: me, callbackDueBy: callbackDue }, '已反馈办理情况');
        }}
      />,
    );
  }
  if (allowed('case.extensionRequested', { reason: 'x', until: now }) && s.assignment) {
    cards.push(<ExtensionRequestCard key="ext" state={s} onRequest={(until, reason) => record('case.extensionRequested', { until, reason }, '已申请延期')} />);
  }
  if (s.extension?.granted === null && allowed('case.extensionDecided', { granted: true, until: s.extension.requestedUntil, reason: '' })) {
    const ext = s.extension;
    // the cap holds at the deciding desk too: no later than the time limits allow from the assignment
    const beyond = extensionRefusal(timeLimitRules(), workCalendar(), s, ext.requestedUntil);
    cards.push(
      <Card key="extdecide" title="延期审批" testId="action-extension-decide">
        <p className="hint">申请延期至 {formatTime(ext.requestedUntil)}：{ext.reason}</p>
        {beyond && <p className="error" data-testid="extension-beyond">不能同意：{beyond}</p>}
        <div className="btn-row">
          <button type="button" className="btn primary" disabled={beyond !== null} onClick={() => void record('case.extensionDecided', { granted: true, until: ext.requestedUntil, reason: '' }, '已同意延期')}>同意</button>
          <button type="button" className="btn" onClick={() => void record('case.extensionDecided', { granted: false, until: null, reason: '' }, '已不同意延期')}>不同意</button>
        </div>
      </Card>,
    );
  }
  if (allowed('case.callback', { satisfaction: 'satisfied', text: '' })) {
    cards.push(<CallbackCard key="callback" done={s.callback !== null} onCallback={(satisfaction, text) => record('case.callback', { satisfaction, text }, '已记录回访')} />);
  }
  if (allowed('case.closed', { summary: '' })) {
    cards.push(
      <CloseCard key="close" noCallback={s.status === 'feedback' && s.callback === null} onClose={(summary) => record('case.closed', { summary }, '已办结')} />,
    );
  }
  if (allowed('case.reopened', { reason: 'x' })) {
    cards.push(<TextCard key="reopen" testId="action-reopen" title="重办" placeholder="重办理由" button="重办" onSubmit={(reason) => record('case.reopened', { reason }, '已重办')} />);
  }
  if (allowed('case.urged', { text: 'x' }) && s.status !== 'closed' && station.role !== 'unit') {
    cards.push(<TextCard key="urge" testId="action-urge" title="督办催办" placeholder="督办内容，如：请于今日 18 时前反馈" button="督办" onSubmit={(text) => record('case.urged', { text }, '已督办')} />);
  }
  cards.push(<TextCard key="note" testId="action-note" title={station.role === 'unit' ? '办理进展 / 备注' : '备注'} placeholder="补充情况、回拨记录、办理进展等" button="添加" onSubmit={(text) => record('case.noteAdded', { text }, '已添加')} />);

  return (
    <section className="panel" aria-label="办理">
      <h2>办理</h2>
      <div className="actions">{cards}</div>
    </section>
  );
}

function ScreenCard({ current, onScreen }: { current: Verdict | ''; onScreen(v: Verdict, reason: string): Promise<boolean> }) {
  const [verdict, setVerdict] = useState<Verdict | ''>(current);
  const [reason, setReason] = useState('');
  return (
    <Card title="甄别" testId="action-screen">
      <div className="choices" role="radiogroup" aria-label="甄别结论">
        {VERDICTS.map((v) => (
          <label key={v}><input type="radio" name="detail-verdict" checked={verdict === v} onChange={() => setVerdict(v)} />{VERDICT_LABELS[v]}</label>
        ))}
      </div>
      <input type="text" aria-label="甄别理由" placeholder="甄别理由" value={reason} onChange={(e) => setReason(e.target.value)} />
      <div className="btn-row">
        <button type="button" className="btn" disabled={!verdict} onClick={() => verdict && void onScreen(verdict, reason)}>记录甄别</button>
      </div>
    </Card>
  );
}

function TransferCard({ target, onTransfer }: { target: HandoverTarget; onTransfer(threeWay: boolean, note: string): Promise<boolean> }) {
  const [threeWay, setThreeWay] = useState(false);
  const [note, setNote] = useState('');
  return (
    <Card title="转办" testId="action-transfer">
      <label className="checks"><input type="checkbox" checked={threeWay} onChange={(e) => setThreeWay(e.target.checked)} /> 已进行三方通话</label>
      <input type="text" aria-label="转办说明" placeholder="转办说明（可选）" value={note} onChange={(e) => setNote(e.target.value)} />
      <div className="btn-row">
        <button type="button" className="btn primary" onClick={() => void onTransfer(threeWay, note)}>转办至 {target.name}</button>
      </div>
    </Card>
  );
}

function ReturnCard({ returnBy, onBehalf = false, onReturn }: { returnBy: string | null; onBehalf?: boolean; onReturn(reason: string): Promise<boolean> }) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState('');
  const title = onBehalf ? '登记承办部门退回（代录）' : '退回（非本单位职责）';
  if (returnBy && Date.now() > Date.parse(returnBy)) {
    return (
      <Card title={title} testId="action-return">
        <p className="hint" data-testid="return-closed">退回时限（{formatTime(returnBy)}）已过，本站不能再退回。确属误派的，请电话联系 12345 热线改派。</p>
      </Card>
    );
  }
  return (
    <Card title={title} testId="action-return">
      {returnBy && <p className="hint">误派工单请在 {formatTime(returnBy)} 前退回。</p>}
      <input
        type="text"
        aria-label="退回理由"
        placeholder={onBehalf ? '承办部门来电退回的理由：谁来电、为何不属其职责、应由谁办理' : '退回理由：为何不属本单位职责、应由谁办理'}
        value={reason}
        onChange={(e) => setReason(e.target.value)}
      />
      {error && <span className="error">{error}</span>}
      <div className="btn-row">
        <button
          type="button"
          className="btn danger"
          onClick={() => {
            if (!reason.trim()) {
              setError('退回必须写明理由');
              return;
            }
            setError('');
            void onReturn(reason.trim());
          }}
        >
          退回
        </button>
      </div>
    </Card>
  );
}

function AssignCard({ state, onAssign }: { state: CaseState; onAssign(payload: unknown, name: string): Promise<boolean> }) {
  const catalogue = loadDefaultCatalogue();
  const suggestion = useMemo(() => suggestAssignment(catalogue, { category: state.category, description: state.description }), [catalogue, state.category, state.description]);
  // after a return, the department that sent it back is not offered again as the default
  const returnedBy = state.status === 'returned' ? (state.assignment?.lead.department ?? null) : null;
  const [lead, setLead] = useState<string>(suggestion.lead && suggestion.lead.department.code !== returnedBy ? suggestion.lead.department.code : '');
  const [assisting, setAssisting] = useState<string[]>(suggestion.assisting.map((a) => a.department.code));
  const [note, setNote] = useState('');
  const category = state.category ? findCategory(catalogue, state.category) : undefined;
  const deadlines = computeDeadlines(timeLimitRules(), workCalendar(), { kind: 'assignment', at: new Date().toISOString(), urgency: state.urgency, nature: state.nature });
  const leadDept = catalogue.departments.find((d) => d.code === lead);
  return (
    <Card title={state.status === 'returned' ? '重新派单' : '派单'} testId="action-assign">
      {suggestion.lead && (
        <p className="hint" data-testid="assign-suggestion">
          建议主办：<strong>{suggestion.lead.department.name}</strong>（{suggestion.lead.reason}）
          {suggestion.assisting.length > 0 && `；建议协办：${suggestion.assisting.map((a) => a.department.short).join('、')}`}
        </p>
      )}
      <div className="field">
        <label htmlFor="assign-lead">主办单位</label>
        <select id="assign-lead" value={lead} onChange={(e) => setLead(e.target.value)}>
          <option value="">请选择</option>
          {catalogue.departments.map((d) => <option key={d.code} value={d.code}>{d.name}</option>)}
        </select>
      </div>
      <div className="checks" aria-label="协办单位">
        {catalogue.departments.filter((d) => d.code !== lead).map((d) => (
          <label key={d.code}>
            <input type="checkbox" checked={assisting.includes(d.code)} onChange={(e) => setAssisting((a) => (e.target.checked ? [...a, d.code] : a.filter((x) => x !== d.code)))} />
            {d.short}
          </label>
        ))}
      </div>
      <input type="text" aria-label="派单说明" placeholder="派单说明（可选）" value={note} onChange={(e) => setNote(e.target.value)} />
      <p className="hint">签收时限 {formatTime(deadlines.ackDueBy)}；反馈时限 {formatTime(deadlines.feedbackDueBy ?? null)}</p>
      <div className="btn-row">
        <button
          type="button"
          className="btn primary"
          disabled={!leadDept}
          onClick={() => {
            if (!leadDept) return;
            const leadCategory = category && departmentOf(catalogue, category.code)?.code === leadDept.code ? category : undefined;
            const payload = {
              lead: targetFor(leadDept, leadCategory),
              assisting: assisting.filter((c) => c !== lead).map((c) => targetFor(catalogue.departments.find((d) => d.code === c)!)),
              note,
              ackDueBy: deadlines.ackDueBy,
              feedbackDueBy: deadlines.feedbackDueBy,
            };
            void onAssign(payload, payload.lead.name);
          }}
        >
          确认派单
        </button>
      </div>
    </Card>
  );
}

function FeedbackCard({ onFeedback }: { onFeedback(result: FeedbackResult, text: string): Promise<boolean> }) {
  // nothing chosen for the operator: the result is what the department says, not a default
  const [result, setResult] = useState<FeedbackResult | ''>('');
  const [text, setText] = useState('');
  const [error, setError] = useState('');
  return (
    <Card title="办理反馈" testId="action-feedback">
      <div className="choices" role="radiogroup" aria-label="办理结果">
        {FEEDBACK_RESULTS.map((r) => (
          <label key={r}><input type="radio" name="feedback-result" checked={result === r} onChange={() => setResult(r)} />{FEEDBACK_RESULT_LABELS[r]}</label>
        ))}
      </div>
      <textarea aria-label="办理情况" placeholder="办理情况：采取了什么措施、结果如何" value={text} onChange={(e) => setText(e.target.value)} style={{ minHeight: 60 }} />
      {error && <span className="error">{error}</span>}
      <div className="btn-row">
        <button
          type="button"
          className="btn primary"
          onClick={() => {
            if (!result) {
              setError('请选择办理结果');
              return;
            }
            if (!text.trim()) {
              setError('请填写办理情况');
              return;
            }
            setError('');
            void onFeedback(result, text.trim());
          }}
        >
          提交反馈
        </button>
      </div>
    </Card>
  );
}

function ExtensionRequestCard({ state, onRequest }: { state: CaseState; onRequest(until: string, reason: string): Promise<boolean> }) {
  const limit = extensionLimit(timeLimitRules(), workCalendar(), { assignedAt: state.assignment!.at, urgency: state.urgency, nature: state.nature, extensionsGranted: state.extension?.granted ? 1 : 0 });
  const [reason, setReason] = useState('');
  if (!limit.maxUntil || limit.remaining <= 0) {
    return (
      <Card title="申请延期" testId="action-extension">
        <p className="hint">{limit.reason ?? '不能再延期'}</p>
      </Card>
    );
  }
  return (
    <Card title="申请延期" testId="action-extension">
      <p className="hint">最长可延至 {formatTime(limit.maxUntil)}（{limit.limitText}）</p>
      <input type="text" aria-label="延期理由" placeholder="延期理由" value={reason} onChange={(e) => setReason(e.target.value)} />
      <div className="btn-row">
        <button type="button" className="btn" disabled={!reason.trim()} onClick={() => void onRequest(limit.maxUntil!, reason.trim())}>申请延期</button>
      </div>
    </Card>
  );
}

function CallbackCard({ done, onCallback }: { done: boolean; onCallback(s: Satisfaction, text: string): Promise<boolean> }) {
  // nothing chosen for the operator: the satisfaction is the caller's answer (it feeds 满意率)
  const [satisfaction, setSatisfaction] = useState<Satisfaction | ''>('');
  const [text, setText] = useState('');
  const [error, setError] = useState('');
  return (
    <Card title={done ? '再次回访' : '回访'} testId="action-callback">
      <div className="choices" role="radiogroup" aria-label="满意度">
        {SATISFACTIONS.map((v) => (
          <label key={v}><input type="radio" name="satisfaction" checked={satisfaction === v} onChange={() => setSatisfaction(v)} />{SATISFACTION_LABELS[v]}</label>
        ))}
      </div>
      <input type="text" aria-label="回访记录" placeholder="回访记录（可选）" value={text} onChange={(e) => setText(e.target.value)} />
      {error && <span className="error">{error}</span>}
      <div className="btn-row">
        <button
          type="button"
          className="btn primary"
          onClick={() => {
            if (!satisfaction) {
              setError('请选择来电人的满意度（未接通选“未联系上”）');
              return;
            }
            setError('');
            void onCallback(satisfaction, text);
          }}
        >
          记录回访
        </button>
      </div>
    </Card>
  );
}

/** 办结; before any callback it asks once more (one click closes a case for good). */
function CloseCard({ noCallback, onClose }: { noCallback: boolean; onClose(summary: string): Promise<boolean> }) {
  const [summary, setSummary] = useState('');
  const [confirming, setConfirming] = useState(false);
  return (
    <Card title="办结" testId="action-close">
      <input type="text" aria-label="办结" placeholder="办结说明（可选）" value={summary} onChange={(e) => setSummary(e.target.value)} />
      {confirming && <p className="error" role="alert">尚未回访来电人。确定不回访就办结？（请在办结说明中写明原因）</p>}
      <div className="btn-row">
        <button
          type="button"
          className={confirming ? 'btn danger' : 'btn'}
          onClick={() => {
            if (noCallback && !confirming) {
              setConfirming(true);
              return;
            }
            void onClose(summary.trim()).then((ok) => ok && setSummary(''));
          }}
        >
          {confirming ? '确认办结' : '办结'}
        </button>
        {confirming && <button type="button" className="btn" onClick={() => setConfirming(false)}>取消</button>}
      </div>
    </Card>
  );
}

function TextCard(p: { title: string; placeholder: string; button: string; optional?: boolean; testId: string; onSubmit(text: string): Promise<boolean> }) {
  const [text, setText] = useState('');
  return (
    <Card title={p.title} testId={p.testId}>
      <input type="text" aria-label={p.title} placeholder={p.placeholder} value={text} onChange={(e) => setText(e.target.value)} />
      <div className="btn-row">
        <button type="button" className="btn" disabled={!p.optional && !text.trim()} onClick={() => void p.onSubmit(text.trim()).then((ok) => ok && setText(''))}>
          {p.button}
        </button>
      </div>
    </Card>
  );
}

/**
 * Intake, keyboard first: Tab walks the form in reading order, arrow keys choose within a
 * group, Ctrl+S (or Ctrl+Enter) saves. At a 110 desk the screening verdict is part of the
 * same save, and a non-police case can be transferred to 12345 at once.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  CHANNEL_LABELS,
  computeDeadlines,
  CHANNELS,
  departmentOf,
  findCategory,
  HOTLINE_TARGET,
  intakeCommands,
  loadDefaultCatalogue,
  NATURE_LABELS,
  NATURES,
  URGENCIES,
  URGENCY_LABELS,
  validateIntake,
  VERDICT_LABELS,
  VERDICTS,
  type HandoverTarget,
  type IntakeDraft,
  type IntakeErrors,
  type DuplicateMatch,
  STATUS_LABELS,
} from '../../../src-common/domain';
import type { StoredCase } from '../store/db';
import { likelyDuplicates } from '../store/duplicate-candidates';
import { ChoiceGroup } from '../components/ChoiceGroup';
import { CategoryPicker } from '../components/CategoryPicker';
import { DISTRICTS } from '../app/districts';
import { useDesk } from '../app/desk-store';
import { fromLocalInput, toLocalInput } from '../app/format';
import { timeLimitRules, workCalendar } from '../app/rules';
import { AUTO_CASE_NO, recordCommands } from '../store/record';
import { describeWriteFailure } from '../store/write-failure';
import { freshIntakeForm, keepIntakeForm, loadIntakeForm, withField, type IntakeForm } from './intake-form';

export function IntakeScreen() {
  const db = useDesk((s) => s.db)!;
  const station = useDesk((s) => s.station)!;
  const catalogue = loadDefaultCatalogue();
  const is110 = station.role === 'police110';
  // the form as typed so far, kept across navigation and reloads (intake-form.ts)
  const [form, setForm] = useState<IntakeForm>(() => loadIntakeForm(station));
  useEffect(() => keepIntakeForm(form), [form]);
  const { draft, wantTransfer, threeWayCall, transferNote, urgencyTouched } = form;
  const setWantTransfer = (v: boolean) => setForm((f) => ({ ...f, wantTransfer: v }));
  const setThreeWayCall = (v: boolean) => setForm((f) => ({ ...f, threeWayCall: v }));
  const setTransferNote = (v: string) => setForm((f) => ({ ...f, transferNote: v }));
  const setUrgencyTouched = (v: boolean) => setForm((f) => ({ ...f, urgencyTouched: v }));
  const clearForm = useCallback(() => setForm(freshIntakeForm(station)), [station]);
  const [errors, setErrors] = useState<IntakeErrors>({});
  const [formError, setFormError] = useState('');
  const [saving, setSaving] = useState(false);
  const [lastSaved, setLastSaved] = useState<{ caseId: string; caseNo: string; transferred: boolean } | null>(null);
  const firstField = useRef<HTMLInputElement>(null);
  const [duplicates, setDuplicates] = useState<Array<DuplicateMatch<StoredCase>>>([]);

  // likely duplicates: the same phone, or the same category near the same address
  useEffect(() => {
    let live = true;
    const t = setTimeout(() => {
      void likelyDuplicates(db, { callerPhone: draft.callerPhone, category: draft.category, address: draft.address, district: draft.district }, Date.now()).then(
        (found) => live && setDuplicates(found),
      );
    }, 300);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [db, draft.callerPhone, draft.category, draft.address, draft.district]);

  async function joinTo(match: DuplicateMatch<StoredCase>) {
    const payload = {
      receivedAt: draft.receivedAt,
      caller: { name: draft.callerName, phone: draft.callerPhone.replace(/\s/g, ''), anonymous: draft.anonymous, confidential: draft.confidential },
      description: draft.description,
    };
    try {
      await recordCommands(db, { station }, [{ caseId: match.candidate.id, type: 'case.callJoined', payload }]);
      useDesk.getState().toast('ok', `已并入 ${match.candidate.caseNo}，未另建工单`);
      useDesk.getState().recorded();
      setLastSaved({ caseId: match.candidate.id, caseNo: match.candidate.caseNo, transferred: false });
      clearForm();
      setErrors({});
      setFormError('');
      firstField.current?.focus();
    } catch (e) {
      setFormError(describeWriteFailure(e, '并单'));
    }
  }

  const set = <K extends keyof IntakeDraft>(key: K, value: IntakeDraft[K]) => {
    setForm((f) => withField(f, key, value));
    // a field corrected: its message goes
    setErrors((e) => {
      if (!(key in e)) return e;
      const rest = { ...e };
      delete rest[key as keyof IntakeErrors];
      return rest;
    });
  };
  // every field corrected: the banner goes too
  useEffect(() => {
    if (Object.keys(errors).length === 0) setFormError((m) => (m.startsWith('有 ') ? '' : m));
  }, [errors]);

  const canTransfer = is110 && (draft.verdict === 'nonPolice' || draft.verdict === 'mixed');
  const category = draft.category ? findCategory(catalogue, draft.category) : undefined;
  const transferTarget: HandoverTarget = useMemo(() => {
    const department = category && station.countyMode ? departmentOf(catalogue, category.code) : undefined;
    return department ? { kind: 'unit', stationId: null, name: department.name, department: department.code } : HOTLINE_TARGET;
  }, [catalogue, category, station.countyMode]);

  const save = useCallback(async () => {
    if (saving) return;
    const full: IntakeDraft = {
      ...draft,
      // not typed in and never stamped (a form saved without input): the call is now
      ...(!form.receivedTouched && !form.receivedStamped ? { receivedAt: new Date().toISOString() } : {}),
      transfer:
        canTransfer && wantTransfer
          ? {
              to: transferTarget,
              threeWayCall,
              note: transferNote,
              // county mode: the linked unit acts directly and owes 110 its feedback
              ...(transferTarget.kind === 'unit' && draft.urgency
                ? { feedbackDueBy: computeDeadlines(timeLimitRules(), workCalendar(), { kind: 'assignment', at: new Date().toISOString(), urgency: draft.urgency, nature: draft.nature || null }).feedbackDueBy }
                : {}),
            }
          : null,
    };
    const found = validateIntake(full, station);
    setErrors(found);
    if (Object.keys(found).length > 0) {
      setFormError(`有 ${Object.keys(found).length} 处需要补正，未保存。`);
      // once the messages are on screen: the first field to correct
      requestAnimationFrame(() => document.querySelector<HTMLElement>('.field.invalid input, .field.invalid textarea, .field.invalid select')?.focus());
      return;
    }
    setSaving(true);
    setFormError('');
    try {
      const events = await recordCommands(db, { station }, intakeCommands(full, station, AUTO_CASE_NO));
      const created = events.find((e) => e.type === 'case.created');
      const caseNo = created?.type === 'case.created' ? created.payload.caseNo : '';
      const transferred = events.some((e) => e.type === 'case.transferred');
      useDesk.getState().toast('ok', `已保存 ${caseNo}${transferred ? '，已转办，等待发送' : ''}`);
      useDesk.getState().recorded();
      setLastSaved({ caseId: events[0]!.caseId, caseNo, transferred });
      clearForm();
      setErrors({});
      firstField.current?.focus();
    } catch (e) {
      const message = describeWriteFailure(e, '保存');
      setFormError(message);
      useDesk.getState().toast('error', message);
    } finally {
      setSaving(false);
    }
  }, [saving, draft, form.receivedTouched, form.receivedStamped, canTransfer, wantTransfer, transferTarget, threeWayCall, transferNote, station, db, clearForm]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && (e.key === 's' || e.key === 'S' || e.key === 'Enter')) {
        e.preventDefault();
        void save();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [save]);

  const onCategory = (code: string | null) => {
    set('category', code);
    const c = code ? findCategory(catalogue, code) : undefined;
    if (c && !urgencyTouched) set('urgency', c.defaultUrgency);
  };

  return (
    <form
      className="intake"
      aria-label="接报登记"
      noValidate
      onKeyDown={(e) => {
        // Enter in a field does not save (and transfer): only Ctrl+S, Ctrl+Enter or the button do
        const t = e.target as HTMLElement;
        if (e.key === 'Enter' && !e.ctrlKey && !e.metaKey && t instanceof HTMLInputElement) e.preventDefault();
      }}
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <section className="panel">
        <h2>接报登记</h2>
        {formError && <div className="form-error" role="alert" data-testid="form-error">{formError}</div>}
        <div className="grid cols-3">
          <div className={`field ${errors.channel ? 'invalid' : ''}`}>
            <label htmlFor="f-channel" className="req">来源渠道</label>
            <select id="f-channel" value={draft.channel} onChange={(e) => set('channel', e.target.value as IntakeDraft['channel'])}>
              <option value="">请选择</option>
              {CHANNELS.map((c) => <option key={c} value={c}>{CHANNEL_LABELS[c]}</option>)}
            </select>
            {errors.channel && <span className="error">{errors.channel}</span>}
          </div>
          <div className={`field ${errors.receivedAt ? 'invalid' : ''}`}>
            <label htmlFor="f-received" className="req">接报时间</label>
            <input id="f-received" type="datetime-local" value={toLocalInput(draft.receivedAt)} onChange={(e) => set('receivedAt', fromLocalInput(e.target.value))} tabIndex={-1} />
            {errors.receivedAt && <span className="error">{errors.receivedAt}</span>}
          </div>
          <div />
          <div className={`field ${errors.callerName ? 'invalid' : ''}`}>
            <label htmlFor="f-name">求助人姓名</label>
            <input id="f-name" ref={firstField} type="text" autoFocus value={draft.callerName} onChange={(e) => set('callerName', e.target.value)} />
            {errors.callerName && <span className="error">{errors.callerName}</span>}
          </div>
          <div className={`field ${errors.callerPhone ? 'invalid' : ''}`}>
            <label htmlFor="f-phone">联系电话</label>
            <input id="f-phone" type="tel" inputMode="tel" value={draft.callerPhone} onChange={(e) => set('callerPhone', e.target.value)} />
            {errors.callerPhone && <span className="error">{errors.callerPhone}</span>}
          </div>
          <div className="field">
            <span className="label">&nbsp;</span>
            <div className="checks">
              <label><input type="checkbox" checked={draft.anonymous} onChange={(e) => set('anonymous', e.target.checked)} /> 匿名</label>
              <label><input type="checkbox" checked={draft.confidential} onChange={(e) => set('confidential', e.target.checked)} /> 要求保密</label>
            </div>
          </div>
          <div className={`field ${errors.district ? 'invalid' : ''}`}>
            <label htmlFor="f-district" className="req">区县</label>
            <input id="f-district" type="text" list="intake-districts" value={draft.district} onChange={(e) => set('district', e.target.value)} />
            <datalist id="intake-districts">{DISTRICTS.map((d) => <option key={d} value={d} />)}</datalist>
            {errors.district && <span className="error">{errors.district}</span>}
          </div>
          <div className={`field span-2 ${errors.address ? 'invalid' : ''}`}>
            <label htmlFor="f-address" className="req">详细地址</label>
            <input id="f-address" type="text" value={draft.address} onChange={(e) => set('address', e.target.value)} placeholder="街道、小区、楼号或明显地标" />
            {errors.address && <span className="error">{errors.address}</span>}
          </div>
          <div className={`field span-all ${errors.description ? 'invalid' : ''}`}>
            <label htmlFor="f-description" className="req">诉求内容</label>
            <textarea id="f-description" value={draft.description} onChange={(e) => set('description', e.target.value)} placeholder="求助人反映的情况：发生了什么、影响多大、有无老人小孩等" />
            {errors.description && <span className="error">{errors.description}</span>}
          </div>
          <div className="span-all">
            <ChoiceGroup name="nature" legend="诉求性质" required options={NATURES} labels={NATURE_LABELS} value={draft.nature} onChange={(v) => set('nature', v)} error={errors.nature} />
          </div>
          <div className={`field span-2 ${errors.category ? 'invalid' : ''}`}>
            <label htmlFor="f-category">诉求类别（职责目录）</label>
            <CategoryPicker id="f-category" value={draft.category} onChange={onCategory} description={draft.description} invalid={Boolean(errors.category)} />
            {errors.category && <span className="error">{errors.category}</span>}
          </div>
          <div>
            <ChoiceGroup
              name="urgency"
              legend="紧急程度"
              required
              className="urgency"
              options={URGENCIES}
              labels={URGENCY_LABELS}
              value={draft.urgency}
              onChange={(v) => {
                setUrgencyTouched(true);
                set('urgency', v);
              }}
              error={errors.urgency}
              optionClass={(v) => v}
            />
          </div>
        </div>
      </section>

      <aside className="side">
        {is110 && (
          <section className="panel" aria-label="甄别">
            <h2>即时甄别</h2>
            <ChoiceGroup name="verdict" legend="甄别结论" required options={VERDICTS} labels={VERDICT_LABELS} value={draft.verdict} onChange={(v) => set('verdict', v)} error={errors.verdict} />
            <div className={`field ${errors.verdictReason ? 'invalid' : ''}`} style={{ marginTop: 10 }}>
              <label htmlFor="f-reason">甄别理由</label>
              <input id="f-reason" type="text" value={draft.verdictReason} onChange={(e) => set('verdictReason', e.target.value)} placeholder="交织类必填" />
              {errors.verdictReason && <span className="error">{errors.verdictReason}</span>}
            </div>
            {canTransfer && (
              <div style={{ marginTop: 12 }} className="grid">
                <label className="checks">
                  <input type="checkbox" checked={wantTransfer} onChange={(e) => setWantTransfer(e.target.checked)} />
                  保存后转办至 <strong>{transferTarget.name}</strong>
                </label>
                {wantTransfer && (
                  <>
                    <label className="checks">
                      <input type="checkbox" checked={threeWayCall} onChange={(e) => setThreeWayCall(e.target.checked)} />
                      已进行三方通话
                    </label>
                    <input type="text" aria-label="转办说明" value={transferNote} onChange={(e) => setTransferNote(e.target.value)} placeholder="转办说明（可选）" />
                  </>
                )}
                {errors.transfer && <span className="error">{errors.transfer}</span>}
              </div>
            )}
            <h3>已公开的非警务求助受理范围</h3>
            <div className="scope" data-testid="published-scope">
              <ul>{catalogue.publishedScope.map((line) => <li key={line}>{line}</li>)}</ul>
              <strong>以下仍由 110 处置：</strong>
              <ul>{catalogue.policeScope.map((line) => <li key={line}>{line}</li>)}</ul>
            </div>
          </section>
        )}
        {duplicates.length > 0 && (
          <section className="panel" aria-label="可能重复" data-testid="duplicates">
            <h2>可能重复的工单（{duplicates.length}）</h2>
            <div className="grid">
              {duplicates.map((m) => (
                <div key={m.candidate.id} className="dup">
                  <div>
                    <a href={`#/cases/${m.candidate.id}`} className="num">{m.candidate.caseNo}</a>
                    <span className="chip" style={{ marginLeft: 6 }}>{STATUS_LABELS[m.candidate.status]}</span>
                  </div>
                  <div className="hint">{m.reasons.map((r) => r.text).join('；')}</div>
                  <div className="desc">{m.candidate.description}</div>
                  {!m.closed ? (
                    <button type="button" className="btn" onClick={() => void joinTo(m)} disabled={!draft.description.trim()} title={draft.description.trim() ? '' : '请先填写诉求内容'}>
                      并入此工单（不另建）
                    </button>
                  ) : (
                    <span className="hint">已办结：如仍未解决，请打开该工单重办</span>
                  )}
                </div>
              ))}
            </div>
          </section>
        )}
        <section className="panel">
          <div className="btn-row" style={{ marginBottom: 12 }}>
            <button type="submit" className="btn primary" disabled={saving}>保存 <kbd>Ctrl+S</kbd></button>
            <button
              type="button"
              className="btn"
              tabIndex={-1}
              onClick={() => {
                clearForm();
                setErrors({});
                setFormError('');
              }}
            >
              清空
            </button>
          </div>
          {lastSaved && (
            <p className="hint" data-testid="last-saved" style={{ marginTop: 0 }}>
              刚保存：<a href={`#/cases/${lastSaved.caseId}`}>{lastSaved.caseNo}</a>
              {lastSaved.transferred ? '（已转办，待发送）' : ''}
            </p>
          )}
          <div className="shortcuts" aria-label="快捷键">
            <kbd>Tab</kbd><span>下一项（方向键在选项间切换）</span>
            <kbd>Ctrl+S</kbd><span>保存（亦可 Ctrl+Enter）</span>
            <kbd>↓ Enter</kbd><span>类别联想中选择</span>
            <kbd>F2 F3 F4</kbd><span>接报 / 工单列表 / 数据与设置</span>
          </div>
        </section>
      </aside>
    </form>
  );
}

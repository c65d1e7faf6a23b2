/** The alert list: every alert stays here until someone acknowledges it. */
import { useEffect, useRef, useState } from 'react';
import { acknowledgeAlert, acknowledgeAlerts, useAlerts } from '../alerts/alert-center';
import { useDesk } from '../app/desk-store';
import { formatTime } from '../app/format';

export function AlertBar() {
  const db = useDesk((s) => s.db)!;
  const station = useDesk((s) => s.station)!;
  const navigate = useDesk((s) => s.navigate);
  const alerts = useAlerts((s) => s.alerts);
  const [open, setOpen] = useState(false);
  const [confirmAll, setConfirmAll] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  const urgent = alerts.some((a) => a.urgent && a.active);
  const ended = alerts.filter((a) => !a.active);

  // Escape or a click elsewhere closes the list
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setOpen(false);
    };
    const onDown = (e: MouseEvent) => {
      if (box.current && !box.current.contains(e.target as Node)) setOpen(false);
    };
    window.addEventListener('keydown', onKey);
    document.addEventListener('mousedown', onDown);
    return () => {
      window.removeEventListener('keydown', onKey);
      document.removeEventListener('mousedown', onDown);
    };
  }, [open]);
  useEffect(() => {
    if (!open) setConfirmAll(false);
  }, [open]);

  return (
    <div className="alert-bar" ref={box}>
      <button type="button" className={`btn ${alerts.length ? (urgent ? 'alarm' : 'warned') : ''}`} onClick={() => setOpen((o) => !o)} data-testid="alert-button" aria-expanded={open}>
        {alerts.length ? `⚠ 提醒 ${alerts.length}` : '无提醒'}
      </button>
      {open && (
        <div className="alert-list" role="dialog" aria-label="提醒" data-testid="alert-list">
          {alerts.length === 0 && <p className="hint">没有待确认的提醒</p>}
          {alerts.length > 1 && (
            <div className="btn-row alert-bulk">
              {ended.length > 0 && (
                <button type="button" className="btn" data-testid="alert-ack-ended" onClick={() => void acknowledgeAlerts(db, ended.map((a) => a.id), station.operator)}>
                  确认已解除的（{ended.length}）
                </button>
              )}
              {confirmAll ? (
                <>
                  <span className="hint">确认全部 {alerts.length} 条提醒？确认后不再重复提醒。</span>
                  <button type="button" className="btn danger" data-testid="alert-ack-all-confirm" onClick={() => void acknowledgeAlerts(db, alerts.map((a) => a.id), station.operator).then(() => setConfirmAll(false))}>
                    确认全部
                  </button>
                  <button type="button" className="btn" onClick={() => setConfirmAll(false)}>取消</button>
                </>
              ) : (
                <button type="button" className="btn" data-testid="alert-ack-all" onClick={() => setConfirmAll(true)}>全部确认（{alerts.length}）</button>
              )}
            </div>
          )}
          {alerts.map((a) => (
            <div key={a.id} className={`alert-item ${a.urgent ? 'urgent' : ''} ${a.active ? '' : 'ended'}`} data-testid="alert-item">
              <div className="what">{a.title}{a.caseNo ? <span className="num"> · {a.caseNo}</span> : null}</div>
              <div className="body">{a.body}</div>
              <div className="meta">
                {formatTime(a.raisedAt)}
                {a.active ? (a.repeatEveryMs ? ` · 未确认将每 ${Math.round(a.repeatEveryMs / 60000)} 分钟重复提醒` : '') : ' · 情况已解除'}
              </div>
              <div className="btn-row">
                <button type="button" className="btn" onClick={() => { setOpen(false); navigate({ name: 'case', id: a.caseId }); }}>打开工单</button>
                <button type="button" className="btn primary" onClick={() => void acknowledgeAlert(db, a.id, station.operator)}>确认</button>
              </div>
            </div>
          ))}
        </div>
      )}
    </div>
  );
}

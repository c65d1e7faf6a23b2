/** The alert list: every alert stays here until someone acknowledges it. */
import { useState } from 'react';
import { acknowledgeAlert, useAlerts } from '../alerts/alert-center';
import { useDesk } from '../app/desk-store';
import { formatTime } from '../app/format';

export function AlertBar() {
  const db = useDesk((s) => s.db)!;
  const station = useDesk((s) => s.station)!;
  const navigate = useDesk((s) => s.navigate);
  const alerts = useAlerts((s) => s.alerts);
  const [open, setOpen] = useState(false);
  const urgent = alerts.some((a) => a.urgent && a.active);
  return (
    <div className="alert-bar">
      <button type="button" className={`btn ${alerts.length ? (urgent ? 'alarm' : 'warned') : ''}`} onClick={() => setOpen((o) => !o)} data-testid="alert-button" aria-expanded={open}>
        {alerts.length ? `⚠ 提醒 ${alerts.length}` : '无提醒'}
      </button>
      {open && (
        <div className="alert-list" role="dialog" aria-label="提醒" data-testid="alert-list">
          {alerts.length === 0 && <p className="hint">没有待确认的提醒</p>}
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

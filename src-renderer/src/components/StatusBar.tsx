/** Station, operator, connection, events waiting to be sent, last sync, storage: always in sight. */
import { useEffect, useState } from 'react';
import { ROLE_LABELS } from '../../../src-common/domain';
import { useDesk } from '../app/desk-store';
import { formatTime } from '../app/format';
import { COUNTER } from '../store/counters';
import { syncLoop, useSync } from '../sync/sync-service';

function useClock(): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const t = setInterval(() => setNow(new Date()), 1000);
    return () => clearInterval(t);
  }, []);
  return now;
}

function Connection({ now }: { now: number }) {
  const sync = useSync();
  let dot = 'off';
  let text: string;
  switch (sync.state) {
    case 'unconfigured':
      text = '未配置市级中心（离线工作）';
      break;
    case 'syncing':
      dot = sync.connected ? 'ok' : 'off';
      text = '正在同步…';
      break;
    case 'idle':
      dot = 'ok';
      text = '已连接市级中心';
      break;
    case 'backoff': {
      const secs = sync.nextRetryAt ? Math.max(0, Math.round((Date.parse(sync.nextRetryAt) - now) / 1000)) : 0;
      text = `未连接市级中心，${secs} 秒后重试`;
      break;
    }
    case 'stopped':
      dot = 'bad';
      text = '同步已停止，需要处理';
      break;
  }
  return (
    <>
      <span className="item" data-testid="status-connection" data-state={sync.state} title={sync.lastError ?? ''}>
        <span className={`dot ${dot}`} /> {text}
      </span>
      {sync.lastSuccessAt && <span className="item" data-testid="status-last-sync">上次同步 {formatTime(sync.lastSuccessAt).slice(11)}</span>}
      {sync.lastError && sync.state !== 'idle' && (
        <span className="item" data-testid="status-error" style={{ color: sync.needsAttention ? 'var(--urgent)' : 'var(--warn)', overflow: 'hidden', textOverflow: 'ellipsis', maxWidth: 420 }}>
          {sync.lastError}
        </span>
      )}
      {sync.state !== 'unconfigured' && (
        <button type="button" className="chip" onClick={() => void syncLoop()?.syncNow()} disabled={sync.state === 'syncing'}>
          立即同步
        </button>
      )}
    </>
  );
}

export function StatusBar() {
  const station = useDesk((s) => s.station)!;
  const counters = useDesk((s) => s.counters);
  const persist = useDesk((s) => s.persist);
  const now = useClock();
  const waiting = counters[COUNTER.outbox] ?? 0;
  const rejected = counters[COUNTER.rejected] ?? 0;
  return (
    <footer className="statusbar" data-testid="status-bar">
      <span className="item">站点 <strong>{station.name}</strong>（{ROLE_LABELS[station.role]}，{station.district}）</span>
      <span className="item">值班员 <strong data-testid="status-operator">{station.operator}</strong></span>
      <Connection now={now.getTime()} />
      <span className="item" data-testid="status-outbox">待发送 <strong>{waiting}</strong> 条</span>
      {rejected > 0 && (
        <a className="item" href="#/settings" style={{ color: 'var(--urgent)' }} data-testid="status-rejected">
          中心拒收 {rejected} 条
        </a>
      )}
      {persist === 'refused' && (
        <span className="item" style={{ color: 'var(--urgent)' }} data-testid="status-persist" title="浏览器未授予持久存储，磁盘紧张时数据可能被清除，请定期导出备份">
          ⚠ 未获持久存储，请定期备份
        </span>
      )}
      <span className="item" style={{ marginLeft: 'auto' }}>
        {now.toLocaleString('zh-CN', { hour12: false })}
      </span>
    </footer>
  );
}

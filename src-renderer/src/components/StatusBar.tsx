/** Station, operator, connection, events waiting to be sent, storage: always in sight. */
import { useEffect, useState } from 'react';
import { ROLE_LABELS } from '../../../src-common/domain';
import { useDesk } from '../app/desk-store';
import { COUNTER } from '../store/counters';

function useClock(): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const t = setInterval(() => setNow(new Date()), 1000);
    return () => clearInterval(t);
  }, []);
  return now;
}

export function StatusBar() {
  const station = useDesk((s) => s.station)!;
  const counters = useDesk((s) => s.counters);
  const persist = useDesk((s) => s.persist);
  const now = useClock();
  const waiting = counters[COUNTER.outbox] ?? 0;
  return (
    <footer className="statusbar" data-testid="status-bar">
      <span className="item">站点 <strong>{station.name}</strong>（{ROLE_LABELS[station.role]}，{station.district}）</span>
      <span className="item">值班员 <strong data-testid="status-operator">{station.operator}</strong></span>
      <span className="item" data-testid="status-connection">
        <span className="dot off" /> 未连接市级中心（离线工作）
      </span>
      <span className="item" data-testid="status-outbox">待发送 <strong>{waiting}</strong> 条</span>
      <span className="item">工单 <strong>{counters[COUNTER.total] ?? 0}</strong></span>
      {persist === 'refused' && (
        <span className="item" style={{ color: 'var(--urgent)' }} data-testid="status-persist">
          ⚠ 浏览器未授予持久存储，磁盘紧张时数据可能被清除，请定期导出备份
        </span>
      )}
      <span className="item" style={{ marginLeft: 'auto' }}>
        {now.toLocaleString('zh-CN', { hour12: false })}
      </span>
    </footer>
  );
}

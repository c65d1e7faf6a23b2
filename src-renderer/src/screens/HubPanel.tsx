/** Connecting this station to the city hub: address, token, a real test, and what the hub refused. */
import { useEffect, useState } from 'react';
import { ROLE_LABELS } from '../../../src-common/domain';
import { useDesk } from '../app/desk-store';
import { formatTime } from '../app/format';
import { shell } from '../shell';
import type { RejectedRow } from '../store/db';
import { createHubClient, normalizeHubUrl, sendsInClear } from '../sync/hub-client';
import { HUB_URL_KEY, readHubConfig, syncLoop, useSync, writeHubConfig } from '../sync/sync-service';

export function HubPanel() {
  const db = useDesk((s) => s.db)!;
  const station = useDesk((s) => s.station)!;
  const dataVersion = useDesk((s) => s.dataVersion);
  const sync = useSync();
  const [url, setUrl] = useState('');
  const [token, setToken] = useState('');
  const [configured, setConfigured] = useState(false);
  /** the address is kept but its token is gone (see hubClientOf) */
  const [tokenMissing, setTokenMissing] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [protectedStore, setProtectedStore] = useState(true);
  const [rejected, setRejected] = useState<RejectedRow[]>([]);

  useEffect(() => {
    void readHubConfig(db).then(async (c) => {
      setConfigured(Boolean(c));
      if (c) setUrl(c.url);
      else {
        const kept = (await db.settings.get(HUB_URL_KEY))?.value;
        if (typeof kept === 'string' && kept) {
          setUrl(kept);
          setTokenMissing(true);
        }
      }
    });
    void shell.secureSettings.isProtected().then(setProtectedStore);
  }, [db]);

  useEffect(() => {
    void db.rejected.orderBy('at').reverse().limit(50).toArray().then(setRejected);
  }, [db, dataVersion, sync.lastSuccessAt]);

  async function connect() {
    setMessage(null);
    let base: string;
    try {
      base = normalizeHubUrl(url);
    } catch (e) {
      setMessage({ ok: false, text: (e as Error).message });
      return;
    }
    if (!token.trim()) {
      setMessage({ ok: false, text: '请填写中心发给本站的令牌' });
      return;
    }
    setBusy(true);
    try {
      const me = await createHubClient({ baseUrl: base, token: token.trim() }).me();
      if (me.stationId !== station.stationId) {
        setMessage({ ok: false, text: `此令牌属于站点 ${me.stationId}（${me.name}），与本机站点编号 ${station.stationId} 不符，未保存` });
        return;
      }
      await writeHubConfig(db, { url: base, token: token.trim() });
      setConfigured(true);
      setTokenMissing(false);
      setToken('');
      // a test result of one moment (the connection now is in the status line below)
      setMessage({ ok: true, text: `${formatTime(new Date().toISOString()).slice(11)} 测试连接成功，已保存：${me.name}（${ROLE_LABELS[me.role]}，${me.district}）` });
      void syncLoop()?.syncNow();
    } catch (e) {
      setMessage({ ok: false, text: `未保存：${String((e as Error)?.message ?? e)}` });
    } finally {
      setBusy(false);
    }
  }

  async function disconnect() {
    await writeHubConfig(db, null);
    setConfigured(false);
    setTokenMissing(false);
    setMessage({ ok: true, text: '已断开，本站继续离线工作，待发送记录保留在本机' });
    void syncLoop()?.syncNow();
  }

  return (
    <section className="panel" aria-label="市级中心">
      <h2>市级中心（同步）</h2>
      <p className="hint">
        本站编号 <strong style={{ fontFamily: 'var(--mono)' }} data-testid="station-id">{station.stationId}</strong>：中心管理员用此编号登记本站并发放令牌。
        {configured ? (
          ` 已配置：${url}`
        ) : tokenMissing ? (
          <span className="warn-text" data-testid="hub-token-missing">
            {' '}中心地址仍在，但本站令牌缺失：请重新输入令牌并“测试并保存”（待发送记录都在本机）。
          </span>
        ) : (
          ' 尚未配置，本站离线工作。'
        )}
      </p>
      <div className="grid">
        <div className="field">
          <label htmlFor="hub-url">中心地址</label>
          <input id="hub-url" type="url" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://hub.example.gov.cn" />
          {url.trim() && sendsInClear(url) && (
            <span className="warn-text" data-testid="hub-cleartext">
              此地址为 http（未加密）：本站令牌和工单内容（含求助人姓名、电话）将以明文经过网络。请使用 https:// 地址（中心前置 TLS），或仅在专用加密网络中使用。
            </span>
          )}
        </div>
        <div className="field">
          <label htmlFor="hub-token">本站令牌</label>
          <input id="hub-token" type="password" value={token} onChange={(e) => setToken(e.target.value)} placeholder={configured ? '已保存（如需更换请重新填写）' : '由中心管理员发放'} autoComplete="off" />
          {!protectedStore && <span className="hint">浏览器版把令牌存放在本机浏览器中，未经系统加密。</span>}
        </div>
        <div className="btn-row">
          <button type="button" className="btn primary" disabled={busy} onClick={() => void connect()}>测试并保存</button>
          {configured && <button type="button" className="btn" onClick={() => void syncLoop()?.syncNow()}>立即同步</button>}
          {configured && <button type="button" className="btn danger" onClick={() => void disconnect()}>断开</button>}
        </div>
        {message && <p className={message.ok ? 'hint' : 'error'} role="alert" data-testid="hub-message">{message.text}</p>}
        <p className="hint" data-testid="hub-status">
          {sync.lastSuccessAt ? `上次成功同步：${formatTime(sync.lastSuccessAt)}` : '尚未成功同步'}
          {sync.lastError ? `；最近的问题：${sync.lastError}` : ''}
        </p>
      </div>
      {rejected.length > 0 && (
        <>
          <h3>中心拒收的记录（保留在本机，请核实）</h3>
          <ul className="hint" data-testid="rejected-list">
            {rejected.map((r) => (
              <li key={r.eventId}>{formatTime(r.at)} · {r.eventId.slice(-8)} · {r.reason}</li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

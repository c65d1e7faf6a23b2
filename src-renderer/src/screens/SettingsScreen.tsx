/** Shift change, theme, storage, backup and demo data. */
import { useEffect, useRef, useState } from 'react';
import { ROLE_LABELS, StationSchema } from '../../../src-common/domain';
import { takesCalls, useDesk } from '../app/desk-store';
import { saveStation } from '../app/station-settings';
import { applyTheme, loadTheme, type ThemeChoice } from '../app/theme';
import { shell } from '../shell';
import { exportBackup, importBackup } from '../store/backup';
import { fillDemoData } from '../store/demo-fill';
import { CalendarPanel } from './CalendarPanel';
import { HubPanel } from './HubPanel';

function backupName(stationId: string): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `relay-desk-${stationId}-${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}.json`;
}

export function SettingsScreen() {
  const db = useDesk((s) => s.db)!;
  const station = useDesk((s) => s.station)!;
  const persist = useDesk((s) => s.persist);
  const toast = useDesk((s) => s.toast);
  const [operator, setOperator] = useState(station.operator);
  const [operatorError, setOperatorError] = useState('');
  const [theme, setTheme] = useState<ThemeChoice>(loadTheme());
  const [busy, setBusy] = useState('');
  const [importMessage, setImportMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [demoCount, setDemoCount] = useState(200);
  const [progress, setProgress] = useState<number | null>(null);
  const [usage, setUsage] = useState('');
  const [version, setVersion] = useState('');
  const fileInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    void navigator.storage?.estimate?.().then((e) => setUsage(`${((e.usage ?? 0) / 1048576).toFixed(1)} MB / 可用约 ${((e.quota ?? 0) / 1073741824).toFixed(1)} GB`));
    void shell.appInfo().then((i) => setVersion(`${i.version}（${i.edition === 'electron' ? `桌面版 Electron ${i.electronVersion ?? ''}` : '浏览器版'}）`));
  }, []);

  async function changeOperator() {
    const parsed = StationSchema.shape.operator.safeParse(operator);
    if (!parsed.success) {
      setOperatorError(parsed.error.issues[0]?.message ?? '值班员姓名不正确');
      return;
    }
    setOperatorError('');
    const next = await saveStation(db, { ...station, operator: parsed.data });
    useDesk.getState().setStation(next);
    toast('ok', `交接班：当前值班员为 ${next.operator}`);
  }

  async function doExport() {
    setBusy('export');
    try {
      const backup = await exportBackup(db, __APP_VERSION__);
      const result = await shell.saveFile({ suggestedName: backupName(station.stationId), content: JSON.stringify(backup), mime: 'application/json' });
      if (result.saved) toast('ok', `已导出 ${backup.events.length} 条记录${result.path ? `：${result.path}` : ''}`);
    } catch (e) {
      toast('error', `导出失败：${String((e as Error)?.message ?? e)}`);
    } finally {
      setBusy('');
    }
  }

  async function doImport(file: File) {
    setBusy('import');
    setImportMessage(null);
    try {
      const result = await importBackup(db, await file.text());
      setImportMessage({ ok: true, text: `导入完成：新增 ${result.added} 条记录，已有 ${result.alreadyHeld} 条，涉及 ${result.casesTouched} 件工单${result.requeued ? `，${result.requeued} 条重新排队待发送` : ''}。` });
      useDesk.getState().recorded();
    } catch (e) {
      setImportMessage({ ok: false, text: `导入失败，本机数据未作任何改动：${String((e as Error)?.message ?? e)}` });
    } finally {
      setBusy('');
      if (fileInput.current) fileInput.current.value = '';
    }
  }

  async function doDemo() {
    setBusy('demo');
    setProgress(0);
    try {
      await fillDemoData(db, station, { count: demoCount, seed: Date.now() % 100000, onProgress: (p) => setProgress(p.cases / p.totalCases) });
      toast('ok', `已生成 ${demoCount} 件演示工单`);
      useDesk.getState().recorded();
    } catch (e) {
      toast('error', `生成失败：${String((e as Error)?.message ?? e)}`);
    } finally {
      setBusy('');
      setProgress(null);
    }
  }

  return (
    <div className="settings">
      <section className="panel" aria-label="交接班">
        <h2>本机站点</h2>
        <dl className="kv">
          <dt>站点</dt><dd>{station.name}</dd>
          <dt>岗位</dt><dd>{ROLE_LABELS[station.role]}{station.countyMode ? '（县区模式）' : ''}</dd>
          <dt>区县</dt><dd>{station.district}</dd>
          <dt>站点编号</dt><dd>{station.stationId}</dd>
          <dt>程序版本</dt><dd>{version}</dd>
        </dl>
        <h3>交接班：更换值班员</h3>
        <div className={`field ${operatorError ? 'invalid' : ''}`}>
          <div className="btn-row">
            <input type="text" aria-label="值班员" value={operator} onChange={(e) => setOperator(e.target.value)} style={{ width: 200 }} />
            <button type="button" className="btn" onClick={() => void changeOperator()}>确认接班</button>
          </div>
          {operatorError && <span className="error">{operatorError}</span>}
        </div>
      </section>

      <HubPanel />

      <section className="panel" aria-label="显示">
        <h2>显示</h2>
        <div className="choices" role="radiogroup" aria-label="主题">
          {([['system', '跟随系统'], ['light', '日间'], ['dark', '夜间']] as const).map(([v, label]) => (
            <label key={v}>
              <input type="radio" name="theme" checked={theme === v} onChange={() => { setTheme(v); applyTheme(v); }} />
              {label}
            </label>
          ))}
        </div>
        <h3>本机存储</h3>
        <p className="hint">
          持久存储：{persist === 'granted' ? '已授予（磁盘紧张时不会被清除）' : persist === 'refused' ? '未授予：磁盘紧张时浏览器可能清除本机数据，请定期导出备份' : persist === 'unsupported' ? '此环境不支持' : '检查中'}
          <br />已用：{usage || '—'}
        </p>
      </section>

      <section className="panel" aria-label="备份">
        <h2>备份与恢复</h2>
        <p className="hint">导出本机全部记录到一个文件，做任何有风险的操作前请先备份。导入只会追加本机没有的记录，不会覆盖或删除。</p>
        <div className="btn-row">
          <button type="button" className="btn primary" disabled={busy !== ''} onClick={() => void doExport()}>导出备份</button>
          {/* a real button (reached by Tab, pressed with Enter) that opens the file chooser */}
          <button type="button" className="btn" disabled={busy !== ''} onClick={() => fileInput.current?.click()}>导入备份…</button>
          <input ref={fileInput} type="file" accept=".json,application/json" hidden data-testid="import-file" onChange={(e) => e.target.files?.[0] && void doImport(e.target.files[0])} />
        </div>
        {importMessage && (
          <p className={importMessage.ok ? 'hint' : 'error'} role="alert" data-testid="import-message" style={{ marginTop: 10 }}>
            {importMessage.text}
          </p>
        )}
      </section>

      <CalendarPanel />

      <section className="panel" aria-label="演示数据">
        <h2>演示数据</h2>
        <p className="hint">为本站生成一批模拟工单（真实风格的姓名、地址和诉求），便于熟悉操作。演示工单与真实工单一样会进入待发送队列，请勿在连接正式中心的站点上使用。</p>
        {!takesCalls(station.role) && (
          <p className="hint" data-testid="demo-not-here">{ROLE_LABELS[station.role]}不受理登记，不能在本站生成演示工单：请在演示用的 110 或 12345 台生成，经中心同步过来。</p>
        )}
        {takesCalls(station.role) && <div className="btn-row">
          <select aria-label="演示工单数量" value={demoCount} onChange={(e) => setDemoCount(Number(e.target.value))}>
            {[50, 200, 1000, 10000, 100000].map((n) => <option key={n} value={n}>{n.toLocaleString('zh-CN')} 件</option>)}
          </select>
          <button type="button" className="btn" disabled={busy !== ''} onClick={() => void doDemo()}>生成演示工单</button>
        </div>}
        {progress !== null && <div className="progress" style={{ marginTop: 10 }}><div style={{ width: `${Math.round(progress * 100)}%` }} /></div>}
      </section>
    </div>
  );
}

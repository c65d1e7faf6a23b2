/**
 * Start-up: open the local store (or show the recovery screen), check it when the last session
 * did not end cleanly (store/crash-check.ts), ask for persistent storage, then the first-run
 * setup or the desk.
 */
import { useEffect, useState } from 'react';
import { RelayDb, DEFAULT_DB_NAME } from '../store/db';
import { openDb, OpenFailure } from '../store/open-db';
import { checkAtOpen, closeSession, type CrashCheck } from '../store/crash-check';
import { RecoveryScreen } from '../screens/RecoveryScreen';
import { SetupScreen } from '../screens/SetupScreen';
import { Workspace } from './Workspace';
import { useDesk } from './desk-store';
import { loadStation } from './station-settings';
import { loadRules } from './rules';
import { requestPersistentStorage } from './persistent-storage';

/** What the operator is told after a check that mended something (null: nothing to say). */
function crashCheckMessage(check: CrashCheck): string | null {
  const hidden = check.hidden ?? 0;
  const reindexed = check.reindexed ?? 0;
  if (!check.checked || (check.refolded === 0 && hidden === 0 && reindexed === 0 && check.counters.length === 0 && !check.rewound)) return null;
  const parts = [
    reindexed > 0 ? `重建了 ${reindexed} 条记录的索引` : '',
    check.refolded > 0 ? `重新整理了 ${check.refolded} 件工单` : '',
    hidden > 0 ? `${hidden} 件工单的受理记录不全，暂不显示，待重新取回后恢复` : '',
    check.counters.length > 0 ? '重新核对了统计数' : '',
    check.rewound ? '将从市级中心重新取回可能缺失的记录' : '',
  ];
  return `上次未正常关闭（断电或崩溃）：已检查本机数据，${parts.filter(Boolean).join('，')}。已保存的记录均未删改。`;
}

type Phase = { name: 'opening' } | { name: 'failed'; failure: OpenFailure } | { name: 'ready' };

/** After this long, opening says why it may take longer (a schema upgrade of a large store). */
const SLOW_OPEN_MS = 2000;

/**
 * While the store opens. A new version's first open of a large store rebuilds its indexes
 * (tens of seconds at 100,000 cases): after a moment, say so, and that closing would only
 * make it start again.
 */
function Opening() {
  const [slow, setSlow] = useState(false);
  useEffect(() => {
    const timer = setTimeout(() => setSlow(true), SLOW_OPEN_MS);
    return () => clearTimeout(timer);
  }, []);
  return (
    <div className="center-screen" role="status" aria-live="polite">
      <p className="hint">正在打开本机数据…</p>
      {slow && <p className="hint">本机工单较多，或新版本首次打开正在整理数据，或上次未正常关闭正在检查数据，可能需要几十秒。请勿关闭窗口，已保存的工单不会丢失。</p>}
    </div>
  );
}

export function App() {
  const [phase, setPhase] = useState<Phase>({ name: 'opening' });
  const [attempt, setAttempt] = useState(0);
  const station = useDesk((s) => s.station);

  useEffect(() => {
    let cancelled = false;
    const db = new RelayDb(DEFAULT_DB_NAME);
    openDb(db)
      .then(async (opened) => {
        // before anything reads the store or syncs: a torn transaction of a power cut is mended first
        const check = await checkAtOpen(opened);
        window.addEventListener('pagehide', (e) => {
          if (!e.persisted) void closeSession(opened, check.session);
        });
        const st = await loadStation(opened);
        await loadRules(opened);
        if (cancelled) return;
        useDesk.getState().setDb(opened);
        useDesk.getState().setStation(st);
        setPhase({ name: 'ready' });
        // for the log (and the tests): the last session ended uncleanly, and what the look found
        if (check.checked) console.info(`unclean end: ${check.signs?.length ? check.signs.join('; ') : 'no sign of a torn transaction'}`);
        const mended = crashCheckMessage(check);
        if (mended) {
          console.warn(`crash check ${JSON.stringify(check)}`);
          useDesk.getState().toast('info', mended);
        }
        void requestPersistentStorage().then((p) => useDesk.getState().setPersist(p));
      })
      .catch((e: unknown) => {
        if (cancelled) return;
        db.close();
        setPhase({ name: 'failed', failure: e instanceof OpenFailure ? e : new OpenFailure('unknown', '本机数据库打开失败。', String(e)) });
      });
    return () => {
      cancelled = true;
    };
  }, [attempt]);

  if (phase.name === 'opening') return <Opening />;
  if (phase.name === 'failed') {
    return <RecoveryScreen failure={phase.failure} onRetry={() => setAttempt((a) => a + 1)} />;
  }
  if (!station) return <SetupScreen />;
  return <Workspace />;
}

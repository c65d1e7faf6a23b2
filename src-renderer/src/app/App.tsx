/**
 * Start-up: open the local store (or show the recovery screen), ask for persistent storage,
 * then the first-run setup or the desk.
 */
import { useEffect, useState } from 'react';
import { RelayDb, DEFAULT_DB_NAME } from '../store/db';
import { openDb, OpenFailure } from '../store/open-db';
import { RecoveryScreen } from '../screens/RecoveryScreen';
import { SetupScreen } from '../screens/SetupScreen';
import { Workspace } from './Workspace';
import { useDesk } from './desk-store';
import { loadStation } from './station-settings';
import { loadRules } from './rules';
import { requestPersistentStorage } from './persistent-storage';

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
      {slow && <p className="hint">本机工单较多，或新版本首次打开正在整理数据，可能需要几十秒。请勿关闭窗口，已保存的工单不会丢失。</p>}
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
        const st = await loadStation(opened);
        await loadRules(opened);
        if (cancelled) return;
        useDesk.getState().setDb(opened);
        useDesk.getState().setStation(st);
        setPhase({ name: 'ready' });
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

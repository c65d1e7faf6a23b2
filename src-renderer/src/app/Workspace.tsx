/** The desk: navigation, the current screen, the status bar, toasts, global shortcuts. */
import { lazy, Suspense, useEffect, useState } from 'react';
import { ROLE_LABELS, type Role } from '../../../src-common/domain';
import { AlertBar } from '../components/AlertBar';
import { StatusBar } from '../components/StatusBar';
import { startAlertCenter } from '../alerts/alert-center';
import { Toasts } from '../components/Toasts';
import { CaseDetailScreen } from '../screens/CaseDetailScreen';
import { CaseListScreen } from '../screens/CaseListScreen';
import { IntakeScreen } from '../screens/IntakeScreen';
import { SettingsScreen } from '../screens/SettingsScreen';
import { WorkQueueScreen } from '../screens/WorkQueueScreen';
import { readCounters } from '../store/counters';
import { shell } from '../shell';
import { homeRoute, onRecorded, takesCalls, useDesk, type Route } from './desk-store';
import { startSync } from '../sync/sync-service';

// part 4: loaded when first opened (ECharts, exceljs and the bundled print font stay out of start-up)
const HandoverScreen = lazy(() => import('../screens/HandoverScreen').then((m) => ({ default: m.HandoverScreen })));
const ReportsScreen = lazy(() => import('../screens/ReportsScreen').then((m) => ({ default: m.ReportsScreen })));

const NAV: Array<{ route: Route; label: string; key: string }> = [
  { route: { name: 'work' }, label: '待办', key: 'F1' },
  { route: { name: 'intake' }, label: '接报登记', key: 'F2' },
  { route: { name: 'cases' }, label: '工单列表', key: 'F3' },
  { route: { name: 'settings' }, label: '数据与设置', key: 'F4' },
  { route: { name: 'handover' }, label: '交接班', key: 'F6' },
  { route: { name: 'reports' }, label: '督办通报', key: 'F7' },
];

/** The screens of a desk: intake only where calls are taken in (desk-store.ts takesCalls). */
function navFor(role: Role): typeof NAV {
  return takesCalls(role) ? NAV : NAV.filter((n) => n.route.name !== 'intake');
}

export function Workspace() {
  const route = useDesk((s) => s.route);
  const station = useDesk((s) => s.station)!;
  const db = useDesk((s) => s.db)!;
  const dataVersion = useDesk((s) => s.dataVersion);
  const navigate = useDesk((s) => s.navigate);

  useEffect(() => {
    if (!location.hash || location.hash === '#' || location.hash === '#/') navigate(homeRoute(station.role));
    const onHash = () => useDesk.getState().setRouteFromHash();
    window.addEventListener('hashchange', onHash);
    const onKey = (e: KeyboardEvent) => {
      // Ctrl+S saves the intake form (its own handler); elsewhere it must not open the
      // browser's "save page as" with the desk's data in it
      if ((e.ctrlKey || e.metaKey) && (e.key === 's' || e.key === 'S')) e.preventDefault();
      const item = navFor(station.role).find((n) => n.key === e.key);
      if (item) {
        e.preventDefault();
        navigate(item.route);
      }
    };
    window.addEventListener('keydown', onKey);
    const offClick = shell.onNotificationClick((caseId) => {
      if (caseId) navigate({ name: 'case', id: caseId });
    });
    return () => {
      window.removeEventListener('hashchange', onHash);
      window.removeEventListener('keydown', onKey);
      offClick();
    };
  }, [navigate, station.role]);

  useEffect(() => {
    const loop = startSync(db);
    const off = onRecorded(() => loop.notifyLocalChange());
    return () => {
      off();
      loop.stop();
    };
  }, [db]);

  const [alertCenter, setAlertCenter] = useState<ReturnType<typeof startAlertCenter> | null>(null);
  useEffect(() => {
    const center = startAlertCenter(db, () => useDesk.getState().station);
    setAlertCenter(center);
    return () => center.stop();
  }, [db]);
  useEffect(() => {
    void alertCenter?.check();
  }, [alertCenter, dataVersion]);

  useEffect(() => {
    let live = true;
    void readCounters(db).then((c) => live && useDesk.getState().setCounters(c));
    return () => {
      live = false;
    };
  }, [db, dataVersion]);

  const active = route.name === 'case' ? 'cases' : route.name;
  return (
    <div className="app">
      <header className="topbar">
        <div className="brand">
          接转办工作台<small>{station.name} · {ROLE_LABELS[station.role]}</small>
        </div>
        <nav className="nav" aria-label="主导航">
          {navFor(station.role).map((n) => (
            <a
              key={n.key}
              href={`#/${n.route.name}`}
              className={active === n.route.name ? 'active' : ''}
              aria-current={active === n.route.name ? 'page' : undefined}
            >
              {n.label} <kbd>{n.key}</kbd>
            </a>
          ))}
        </nav>
        <div className="spacer" />
        <AlertBar />
      </header>
      <main className="content">
        {route.name === 'work' && <WorkQueueScreen />}
        {route.name === 'intake' &&
          (takesCalls(station.role) ? (
            <IntakeScreen />
          ) : (
            <section className="panel" data-testid="intake-not-here">
              <h2>接报登记</h2>
              <p className="hint">{ROLE_LABELS[station.role]}不受理登记：来电由 110 接警台或 12345 热线受理后转派本站。本站在“待办”中签收和办理。</p>
            </section>
          ))}
        {route.name === 'cases' && <CaseListScreen />}
        {route.name === 'case' && <CaseDetailScreen caseId={route.id} />}
        {route.name === 'settings' && <SettingsScreen />}
        <Suspense fallback={<p className="hint">正在打开…</p>}>
          {route.name === 'handover' && <HandoverScreen />}
          {route.name === 'reports' && <ReportsScreen />}
        </Suspense>
      </main>
      <StatusBar />
      <Toasts />
    </div>
  );
}

/**
 * The desk's UI state (zustand): the open database, this station, the route, counters for
 * the status bar, toasts. Data itself lives in IndexedDB; `dataVersion` tells views to
 * read again after a write.
 */
import { create } from 'zustand';
import type { Role, Station } from '../../../src-common/domain';
import type { RelayDb } from '../store/db';

export type Route =
  | { name: 'work' }
  | { name: 'intake' }
  | { name: 'cases' }
  | { name: 'case'; id: string }
  | { name: 'settings' }
  | { name: 'handover' }
  | { name: 'reports' };

export function parseHash(hash: string): Route {
  const h = hash.replace(/^#\/?/, '');
  const [first, second] = h.split('/');
  if (first === 'cases' && second) return { name: 'case', id: decodeURIComponent(second) };
  if (first === 'cases') return { name: 'cases' };
  if (first === 'settings') return { name: 'settings' };
  if (first === 'work') return { name: 'work' };
  if (first === 'handover') return { name: 'handover' };
  if (first === 'reports') return { name: 'reports' };
  return { name: 'intake' };
}

/** Where each role opens: on what it must act on next. A 110 desk's next act is the next call. */
/** The desks that take calls in (受理登记): 110 and 12345. Departments receive, supervisors watch. */
export function takesCalls(role: Role): boolean {
  return role === 'police110' || role === 'hotline12345';
}

export function homeRoute(role: Role): Route {
  return role === 'police110' ? { name: 'intake' } : { name: 'work' };
}

export function routeHash(route: Route): string {
  switch (route.name) {
    case 'case':
      return `#/cases/${encodeURIComponent(route.id)}`;
    default:
      return `#/${route.name}`;
  }
}

export interface Toast {
  id: number;
  kind: 'ok' | 'error' | 'info';
  text: string;
}

export type PersistState = 'unknown' | 'granted' | 'refused' | 'unsupported';

interface DeskState {
  db: RelayDb | null;
  station: Station | null;
  route: Route;
  dataVersion: number;
  counters: Record<string, number>;
  persist: PersistState;
  toasts: Toast[];
  setDb(db: RelayDb): void;
  setStation(station: Station | null): void;
  navigate(route: Route): void;
  setRouteFromHash(): void;
  /** something was read in (pull, import): views read again */
  dataChanged(): void;
  /** this desk recorded something: views read again and the sync loop is told */
  recorded(): void;
  setCounters(counters: Record<string, number>): void;
  setPersist(p: PersistState): void;
  toast(kind: Toast['kind'], text: string): void;
  dismiss(id: number): void;
}

let toastSeq = 0;
const recordListeners = new Set<() => void>();
export function onRecorded(listener: () => void): () => void {
  recordListeners.add(listener);
  return () => recordListeners.delete(listener);
}

export const useDesk = create<DeskState>((set) => ({
  db: null,
  station: null,
  route: parseHash(typeof location === 'undefined' ? '' : location.hash),
  dataVersion: 0,
  counters: {},
  persist: 'unknown',
  toasts: [],
  setDb: (db) => set({ db }),
  setStation: (station) => set({ station }),
  navigate: (route) => {
    const hash = routeHash(route);
    if (location.hash !== hash) location.hash = hash;
    set({ route });
  },
  setRouteFromHash: () => set({ route: parseHash(location.hash) }),
  dataChanged: () => set((s) => ({ dataVersion: s.dataVersion + 1 })),
  recorded: () => {
    set((s) => ({ dataVersion: s.dataVersion + 1 }));
    for (const listener of recordListeners) listener();
  },
  setCounters: (counters) => set({ counters }),
  setPersist: (persist) => set({ persist }),
  toast: (kind, text) => {
    const id = ++toastSeq;
    set((s) => ({ toasts: [...s.toasts, { id, kind, text }].slice(-4) }));
    setTimeout(() => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })), kind === 'error' ? 8000 : 4000);
  },
  dismiss: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
}));

/** The list's filter, sort and last opened case, kept while the operator moves between screens. */
import { create } from 'zustand';
import type { ListFilter, ListSort } from '../store/list-query';

interface ListPrefs {
  filter: ListFilter;
  sort: ListSort;
  /** the case last opened from the list: selected and scrolled to when the operator comes back */
  lastOpened: string | null;
  setFilter(filter: ListFilter): void;
  setSort(sort: ListSort): void;
  setLastOpened(caseId: string | null): void;
}

export const useListPrefs = create<ListPrefs>((set) => ({
  filter: {},
  sort: { key: 'updatedAt', dir: 'desc' },
  lastOpened: null,
  setFilter: (filter) => set({ filter, lastOpened: null }),
  setSort: (sort) => set({ sort, lastOpened: null }),
  setLastOpened: (lastOpened) => set({ lastOpened }),
}));

/** The list's filter and sort, kept while the operator moves between screens. */
import { create } from 'zustand';
import type { ListFilter, ListSort } from '../store/list-query';

interface ListPrefs {
  filter: ListFilter;
  sort: ListSort;
  setFilter(filter: ListFilter): void;
  setSort(sort: ListSort): void;
}

export const useListPrefs = create<ListPrefs>((set) => ({
  filter: {},
  sort: { key: 'updatedAt', dir: 'desc' },
  setFilter: (filter) => set({ filter }),
  setSort: (sort) => set({ sort }),
}));

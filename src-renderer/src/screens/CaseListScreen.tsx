/**
 * The case list: filters, a search box, index-backed sorting, and a virtualised table that
 * pages through the store as the operator scrolls. It never loads or counts every case.
 */
import { useTable } from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState } from 'react';
import {
  listCategories,
  loadDefaultCatalogue,
  NATURE_LABELS,
  NATURES,
  queryTerms,
  STATUS_LABELS,
  STATUSES,
  URGENCY_LABELS,
  URGENCIES,
  type Nature,
  type Status,
  type Urgency,
} from '../../../src-common/domain';
import { useDesk } from '../app/desk-store';
import { COUNTER } from '../store/counters';
import type { StoredCase } from '../store/db';
import { queryCasePage, type ListFilter, type ListSort, type PageCursor } from '../store/list-query';
import { caseColumns, caseTableFeatures, gridTemplate, type CaseColumnMeta } from './case-columns';
import { useListPrefs } from './list-prefs';

const PAGE = 100;
/** the sticky header's height (.th in styles.css) */
const HEADER_HEIGHT = 35;
const ROW_HEIGHT = 37;
let firstRowsMarked = false;

export function CaseListScreen() {
  const db = useDesk((s) => s.db)!;
  const station = useDesk((s) => s.station)!;
  const dataVersion = useDesk((s) => s.dataVersion);
  const counters = useDesk((s) => s.counters);
  const navigate = useDesk((s) => s.navigate);
  const { filter, sort, setFilter, setSort } = useListPrefs();
  const [searchText, setSearchText] = useState(filter.search ?? '');
  const [rows, setRows] = useState<StoredCase[]>([]);
  const [next, setNext] = useState<PageCursor | null>(null);
  const [loading, setLoading] = useState(false);
  // a search (or a filter no case index serves) asked before the in-memory index is filled
  // waits for it (a few seconds at most, right after opening): what is being prepared, or null
  const [preparing, setPreparing] = useState<'搜索' | '筛选' | null>(null);
  const [error, setError] = useState('');
  const [active, setActive] = useState(0);
  const queryId = useRef(0);
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizerRef = useRef<{ scrollToIndex(index: number, options?: { align?: 'start' | 'center' | 'end' | 'auto' }): void } | null>(null);
  const openCase = (id: string) => {
    useListPrefs.getState().setLastOpened(id);
    navigate({ name: 'case', id });
  };
  const catalogue = loadDefaultCatalogue();
  const categories = useMemo(() => listCategories(catalogue), [catalogue]);

  // debounce the search box
  useEffect(() => {
    const search = searchText.trim() || null;
    const t = setTimeout(() => {
      const current = useListPrefs.getState().filter;
      if ((current.search ?? null) !== search) setFilter({ ...current, search });
    }, 250);
    return () => clearTimeout(t);
  }, [searchText, setFilter]);

  useEffect(() => {
    const id = ++queryId.current;
    setLoading(true);
    setError('');
    setPreparing(null);
    // told when the page waits for the in-memory index (a few seconds at most, right after the
    // desk opens): the rows of the previous filter would pass for this one's answer meanwhile
    const onWait = () => {
      if (id !== queryId.current) return;
      setPreparing(queryTerms(filter.search ?? '').length > 0 ? '搜索' : '筛选');
      setRows([]);
      setNext(null);
    };
    queryCasePage(db, filter, sort, PAGE, null, { onWait })
      .then((page) => {
        if (id !== queryId.current) return;
        setRows(page.rows);
        setNext(page.next);
        // back from a case: that case selected again (when it is still on the first page)
        const back = useListPrefs.getState().lastOpened;
        const at = back ? page.rows.findIndex((r) => r.id === back) : -1;
        setActive(Math.max(at, 0));
        if (at > 0) requestAnimationFrame(() => virtualizerRef.current?.scrollToIndex(at, { align: 'center' }));
      })
      .catch((e: unknown) => id === queryId.current && setError(`查询失败：${String((e as Error)?.message ?? e)}`))
      .finally(() => {
        if (id !== queryId.current) return;
        setLoading(false);
        setPreparing(null);
      });
  }, [db, filter, sort, dataVersion]);

  const loadMore = () => {
    if (!next || loading) return;
    const id = queryId.current;
    setLoading(true);
    queryCasePage(db, filter, sort, PAGE, next)
      .then((page) => {
        if (id !== queryId.current) return;
        setRows((r) => [...r, ...page.rows]);
        setNext(page.next);
      })
      .finally(() => id === queryId.current && setLoading(false));
  };

  const table = useTable({ features: caseTableFeatures, columns: caseColumns, data: rows });
  const tableRows = table.getRowModel().rows;
  const virtualizer = useVirtualizer({
    count: tableRows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    // the sticky header covers the top of the scroll area: a row scrolled to stays below it
    scrollPaddingStart: HEADER_HEIGHT,
  });
  virtualizerRef.current = virtualizer;
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? 0;
  useEffect(() => {
    if (lastIndex >= tableRows.length - 20) loadMore();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [lastIndex, tableRows.length]);

  useEffect(() => {
    if (!firstRowsMarked && rows.length > 0) {
      firstRowsMarked = true;
      requestAnimationFrame(() => performance.mark('relay:list-first-rows'));
    }
  }, [rows.length]);

  const onKeyDown = (e: React.KeyboardEvent) => {
    // keys pressed on a control of the list (a sort button) are that control's
    if (e.target instanceof HTMLButtonElement || e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement) return;
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      setActive((a) => Math.min(a + 1, rows.length - 1));
      virtualizer.scrollToIndex(Math.min(active + 1, rows.length - 1));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((a) => Math.max(a - 1, 0));
      virtualizer.scrollToIndex(Math.max(active - 1, 0));
    } else if (e.key === 'Enter' && rows[active]) {
      openCase(rows[active].id);
    }
  };

  const statusCount = (s: Status) => counters[COUNTER.status(s)] ?? 0;

  return (
    <div className="list-screen">
      <div className="status-tabs" role="tablist" aria-label="按状态筛选">
        <button type="button" className={!filter.status ? 'active' : ''} onClick={() => setFilter({ ...filter, status: null })}>
          全部<span>{counters[COUNTER.total] ?? 0}</span>
        </button>
        {STATUSES.map((s) => (
          <button type="button" key={s} className={filter.status === s ? 'active' : ''} onClick={() => setFilter({ ...filter, status: s })} data-testid={`status-tab-${s}`}>
            {STATUS_LABELS[s]}<span>{statusCount(s)}</span>
          </button>
        ))}
      </div>
      <div className="filters">
        <input
          type="search"
          aria-label="搜索"
          placeholder="搜索：工单号、电话、姓名、地址、内容"
          value={searchText}
          onChange={(e) => setSearchText(e.target.value)}
        />
        <select aria-label="紧急程度" value={filter.urgency ?? ''} onChange={(e) => setFilter({ ...filter, urgency: (e.target.value || null) as Urgency | null })}>
          <option value="">紧急程度：全部</option>
          {URGENCIES.map((u) => <option key={u} value={u}>{URGENCY_LABELS[u]}</option>)}
        </select>
        <select aria-label="诉求性质" value={filter.nature ?? ''} onChange={(e) => setFilter({ ...filter, nature: (e.target.value || null) as Nature | null })}>
          <option value="">性质：全部</option>
          {NATURES.map((n) => <option key={n} value={n}>{NATURE_LABELS[n]}</option>)}
        </select>
        <select aria-label="诉求类别" value={filter.category ?? ''} onChange={(e) => setFilter({ ...filter, category: e.target.value || null })}>
          <option value="">类别：全部</option>
          {categories.map((c) => <option key={c.category.code} value={c.category.code}>{c.department.short} · {c.category.name}</option>)}
        </select>
        <select aria-label="责任方" value={filter.ownerId ?? ''} onChange={(e) => setFilter({ ...filter, ownerId: e.target.value || null })}>
          <option value="">责任方：全部</option>
          <option value={station.stationId}>本站（{station.name}）</option>
        </select>
        <label className="hint">
          接报日期 从 <input type="date" aria-label="开始日期" value={filter.from ? toDateInput(filter.from) : ''} onChange={(e) => setFilter({ ...filter, from: e.target.value ? new Date(`${e.target.value}T00:00:00`).toISOString() : null })} />
        </label>
        <label className="hint">
          到 <input type="date" aria-label="结束日期" value={filter.to ? toDateInput(filter.to) : ''} onChange={(e) => setFilter({ ...filter, to: e.target.value ? new Date(`${e.target.value}T23:59:59.999`).toISOString() : null })} />
        </label>
        <button type="button" className="btn" onClick={() => { setSearchText(''); setFilter({}); }}>清除筛选</button>
      </div>
      {error && <div className="form-error" role="alert">{error}</div>}
      <div className="table-wrap" ref={scrollRef} tabIndex={0} onKeyDown={onKeyDown} aria-label="工单列表" data-testid="case-table">
        <div className="table" role="table" style={{ minWidth: 1330 }}>
          <div className="thead" role="rowgroup">
            {table.getHeaderGroups().map((group) => (
              <div className="tr" role="row" key={group.id} style={{ gridTemplateColumns: gridTemplate }}>
                {group.headers.map((header) => {
                  const meta = header.column.columnDef.meta as CaseColumnMeta;
                  const sorted = meta.sortKey && sort.key === meta.sortKey ? sort.dir : null;
                  // a first click sorts the way one reads that column: deadlines earliest first
                  // (overdue on top, none last), times newest first
                  const firstDir = meta.sortKey === 'dueKey' ? 'asc' : 'desc';
                  const next = () => meta.sortKey && setSort({ key: meta.sortKey, dir: sorted === null ? firstDir : sorted === 'desc' ? 'asc' : 'desc' });
                  return (
                    <div
                      key={header.id}
                      role="columnheader"
                      aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : undefined}
                      className={`th ${meta.sortKey ? 'sortable' : ''}`}
                    >
                      {meta.sortKey ? (
                        // a button: reached by Tab, pressed with Enter or Space
                        <button type="button" className="th-sort" onClick={next} title="排序">
                          <table.FlexRender header={header} />
                          {sorted && <span>{sorted === 'desc' ? ' ▼' : ' ▲'}</span>}
                        </button>
                      ) : (
                        <table.FlexRender header={header} />
                      )}
                    </div>
                  );
                })}
              </div>
            ))}
          </div>
          <div className="tbody" role="rowgroup" style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
            {items.map((item) => {
              const row = tableRows[item.index]!;
              return (
                <div
                  key={row.id}
                  role="row"
                  data-testid="case-row"
                  data-case-id={row.original.id}
                  className={`tr ${row.original.urgency === 'urgent' ? 'urgent' : ''} ${item.index === active ? 'selected' : ''}`}
                  aria-selected={item.index === active}
                  style={{ gridTemplateColumns: gridTemplate, position: 'absolute', top: 0, left: 0, right: 0, height: ROW_HEIGHT, transform: `translateY(${item.start}px)` }}
                  onClick={() => openCase(row.original.id)}
                >
                  {row.getAllCells().map((cell) => (
                    <div role="cell" key={cell.id} className={`td ${(cell.column.columnDef.meta as CaseColumnMeta).className ?? ''}`}>
                      <table.FlexRender cell={cell} />
                    </div>
                  ))}
                </div>
              );
            })}
          </div>
          {preparing && <div className="empty">正在准备{preparing}，请稍候（打开后首次{preparing}需几秒）…</div>}
          {!loading && rows.length === 0 && <div className="empty">没有符合条件的工单</div>}
        </div>
      </div>
      <div className="list-foot">
        <span data-testid="list-count">{preparing ? `${preparing}结果稍后显示` : `已显示 ${rows.length} 条${next ? '，向下滚动加载更多' : '（已全部显示）'}`}</span>
        <span>{preparing ? `正在准备${preparing}（打开后首次${preparing}需几秒）…` : loading ? '加载中…' : '↑↓ 选择，Enter 打开'}</span>
      </div>
    </div>
  );
}

function toDateInput(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export type { ListFilter, ListSort };

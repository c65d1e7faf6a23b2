/** The case list's columns (TanStack Table v9). `sortKey` marks the columns the store can sort by index. */
import { createColumnHelper, tableFeatures } from '@tanstack/react-table';
import {
  caseDeadlineState,
  DEADLINE_LABELS,
  findCategory,
  loadDefaultCatalogue,
  STATUS_LABELS,
  URGENCY_LABELS,
} from '../../../src-common/domain';
import { formatTime, relativeDue } from '../app/format';
import type { StoredCase } from '../store/db';
import type { SortKey } from '../store/list-query';
import { toCaseState } from '../store/projection';

export const caseTableFeatures = tableFeatures({});
const col = createColumnHelper<typeof caseTableFeatures, StoredCase>();

export interface CaseColumnMeta {
  sortKey?: SortKey;
  width: string;
  className?: string;
}

function DueCell({ row }: { row: StoredCase }) {
  // the same reading of the deadline as the work queue and the alerts (its own window)
  const state = caseDeadlineState(toCaseState(row), Date.now());
  if (state === 'none') return <span className="hint">—</span>;
  const cls = state === 'overdue' ? 'urgent' : state === 'dueSoon' ? 'warn' : 'ok';
  return (
    <span className={`chip ${cls}`} title={formatTime(row.dueAt)}>
      {DEADLINE_LABELS[state]} · {relativeDue(row.dueAt, Date.now())}
    </span>
  );
}

/**
 * The list's columns, narrowest first where it matters: at 1366 × 768 (a duty-room PC) every
 * column fits without scrolling sideways, and the deadline sits next to the status. 性质 is a
 * filter above the list and a field of the case, not a column.
 */
export const caseColumns = col.columns([
  col.accessor('caseNo', { header: '工单编号', meta: { width: '180px', className: 'num' } satisfies CaseColumnMeta }),
  col.accessor('receivedAt', {
    header: '接报时间',
    cell: (c) => formatTime(c.getValue()),
    meta: { width: '130px', sortKey: 'receivedAt', className: 'num' } satisfies CaseColumnMeta,
  }),
  col.accessor('urgency', {
    header: '紧急',
    cell: (c) => (c.getValue() === 'urgent' ? <span className="chip urgent">{URGENCY_LABELS.urgent}</span> : <span className="hint">{URGENCY_LABELS.normal}</span>),
    meta: { width: '60px' } satisfies CaseColumnMeta,
  }),
  col.accessor('status', {
    header: '状态',
    cell: (c) => <span className="chip">{STATUS_LABELS[c.getValue()]}</span>,
    meta: { width: '116px' } satisfies CaseColumnMeta,
  }),
  col.accessor('dueKey', {
    header: '时限',
    cell: (c) => <DueCell row={c.row.original} />,
    meta: { width: '168px', sortKey: 'dueKey' } satisfies CaseColumnMeta,
  }),
  col.accessor('category', {
    header: '类别',
    cell: (c) => {
      const code = c.getValue();
      return code ? (findCategory(loadDefaultCatalogue(), code)?.name ?? code) : <span className="hint">未分类</span>;
    },
    meta: { width: '104px' } satisfies CaseColumnMeta,
  }),
  col.accessor('description', { header: '诉求内容', meta: { width: 'minmax(200px, 1fr)' } satisfies CaseColumnMeta }),
  col.accessor((r) => r.location.district + ' ' + r.location.address, { id: 'address', header: '地点', meta: { width: 'minmax(120px, 0.6fr)' } satisfies CaseColumnMeta }),
  col.accessor((r) => r.owner.name, { id: 'owner', header: '当前责任方', meta: { width: '120px' } satisfies CaseColumnMeta }),
  col.accessor('updatedAt', {
    header: '最后更新',
    cell: (c) => formatTime(c.getValue()),
    meta: { width: '130px', sortKey: 'updatedAt', className: 'num' } satisfies CaseColumnMeta,
  }),
]);

export const gridTemplate = caseColumns.map((c) => (c.meta as CaseColumnMeta).width).join(' ');

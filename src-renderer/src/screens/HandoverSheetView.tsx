/**
 * The shift handover sheet (交接班记录) as an A4 page: on screen in the desk's theme, on paper
 * black on white (print.css). It renders the sheet object alone, so a stored sheet
 * (readHandoverSheet) prints again exactly as it was.
 */
import type { HandoverSheet } from '../../../src-common/reports';
import { HANDOVER_LABELS } from '../../../src-common/reports';
import { formatTime } from '../app/format';

/** Rows shown per long list; a real shift has far fewer, a demo station may have thousands. */
export const SHEET_LIST_LIMIT = 500;

const COUNT_KEYS = [
  'received',
  'screenedNonPolice',
  'transferred',
  'assigned',
  'acknowledged',
  'feedback',
  'closed',
  'returned',
  'reassigned',
] as const satisfies ReadonlyArray<keyof HandoverSheet['counts']>;

function More({ shown, total, what }: { shown: number; total: number; what: string }) {
  if (total <= shown) return null;
  return <p className="more">另有 {total - shown} {what}未列出（共 {total} {what}），请在工单列表中查看。</p>;
}

/** Column widths of the open-item table (%), so an A4 page holds it without cramped columns. */
const OPEN_ITEM_WIDTHS = [5, 27, 14, 13, 19, 11, 11];

/** 'MM-DD HH:mm': the year stands in the shift window above. */
function shortTime(iso: string): string {
  return formatTime(iso).slice(5);
}

function names(list: readonly string[]): string {
  return list.length > 0 ? list.join('、') : '—';
}

export function HandoverSheetView({ sheet, caption, testId = 'handover-sheet' }: { sheet: HandoverSheet; caption?: string; testId?: string }) {
  const open = sheet.openItems.slice(0, SHEET_LIST_LIMIT);
  const unsynced = sheet.unsynced.cases.slice(0, SHEET_LIST_LIMIT);
  return (
    <article className="sheet" data-testid={testId} data-masked={sheet.masked ? 'yes' : 'no'} aria-label="交接班记录">
      <h1>交接班记录</h1>
      <p className="sheet-sub">
        {sheet.station.name} · {sheet.station.roleLabel} · {sheet.station.district}
        {caption ? ` · ${caption}` : ''}
      </p>

      <dl className="meta-grid" data-testid="sheet-meta">
        <dt>班次时间</dt>
        <dd data-testid="sheet-window">{formatTime(sheet.shift.start)} 至 {formatTime(sheet.shift.end)}</dd>
        <dt>站点编号</dt>
        <dd>{sheet.station.stationId}</dd>
        <dt>交班人</dt>
        <dd>{names(sheet.operators)}</dd>
        <dt>接班人</dt>
        <dd>{names(sheet.signatures.incoming.names)}</dd>
        <dt>生成时间</dt>
        <dd>{formatTime(sheet.generatedAt)}</dd>
        <dt>个人信息</dt>
        <dd>{sheet.masked ? '已脱敏（姓名、电话部分隐去）' : '完整显示（仅供屏幕查看，请勿打印外传）'}</dd>
      </dl>

      <h2>本班工作量</h2>
      <table className="counts" data-testid="sheet-counts">
        <thead>
          <tr>{COUNT_KEYS.map((k) => <th key={k} scope="col">{HANDOVER_LABELS.counts[k]}</th>)}</tr>
        </thead>
        <tbody>
          <tr>{COUNT_KEYS.map((k) => <td key={k} data-testid={`count-${k}`}>{sheet.counts[k]}</td>)}</tr>
        </tbody>
      </table>

      <h2>
        {HANDOVER_LABELS.openItems}
        <small>共 {sheet.openItems.length} 件，超时与紧急在前</small>
      </h2>
      {sheet.openItems.length === 0 ? (
        <p className="none">无未办结事项。</p>
      ) : (
        <>
          <table data-testid="open-items" className="open-items">
            <colgroup>
              {OPEN_ITEM_WIDTHS.map((w, k) => <col key={k} style={{ width: `${w}%` }} />)}
            </colgroup>
            <thead>
              <tr>
                <th scope="col" rowSpan={2}>序号</th>
                <th scope="col">工单编号 / 受理时间</th>
                <th scope="col">类别 / 紧急程度</th>
                <th scope="col">状态</th>
                <th scope="col">主办 / 待签收</th>
                <th scope="col">时限</th>
                <th scope="col">求助人</th>
              </tr>
              <tr>
                <th scope="col" colSpan={6}>地址 / 诉求摘要</th>
              </tr>
            </thead>
            {open.map((item, i) => (
              <tbody key={item.caseId} className={`item ${item.deadline === 'overdue' ? 'overdue' : ''}`} data-testid="open-item">
                <tr>
                  <td rowSpan={2} className="seq">{i + 1}</td>
                  <td>
                    <span className="no">{item.caseNo}</span>
                    <span className="sub">受理 {shortTime(item.receivedAt)}</span>
                  </td>
                  <td>
                    {item.categoryName}
                    {item.departmentName && <span className="sub">{item.departmentName}</span>}
                    <span className={`sub ${item.urgency === 'urgent' ? 'flag urgent' : ''}`}>{item.urgencyLabel}</span>
                  </td>
                  <td>
                    {item.statusLabel}
                    <span className="sub nowrap">{item.relationLabel}</span>
                  </td>
                  <td>
                    {item.owner.name}
                    {item.awaiting && <span className="sub">待 {item.awaiting.name} 签收</span>}
                  </td>
                  <td>
                    <span className={`flag ${item.deadline}`}>{item.deadlineLabel}</span>
                    {item.dueAt && <span className="sub nowrap">{shortTime(item.dueAt)}</span>}
                    {(item.urgeCount > 0 || item.returnCount > 0) && (
                      <span className="sub">
                        {item.urgeCount > 0 ? `督办 ${item.urgeCount} 次` : ''}
                        {item.urgeCount > 0 && item.returnCount > 0 ? '，' : ''}
                        {item.returnCount > 0 ? `退回 ${item.returnCount} 次` : ''}
                      </span>
                    )}
                  </td>
                  <td>
                    {item.caller.name || '—'}
                    {item.caller.phone && <span className="sub nowrap">{item.caller.phone}</span>}
                  </td>
                </tr>
                <tr className="item-detail">
                  <td colSpan={6}>
                    <span className="addr">{item.address}</span>
                    {item.summary && <span className="summary">{item.summary}</span>}
                  </td>
                </tr>
              </tbody>
            ))}
          </table>
          <More shown={open.length} total={sheet.openItems.length} what="件" />
        </>
      )}

      <h2>
        {HANDOVER_LABELS.changes}
        <small>退回 {sheet.counts.returned} 次，改派 {sheet.counts.reassigned} 次</small>
      </h2>
      {sheet.changes.length === 0 ? (
        <p className="none">本班无退回或改派。</p>
      ) : (
        <table data-testid="sheet-changes">
          <thead>
            <tr>
              <th scope="col">时间</th>
              <th scope="col">类型</th>
              <th scope="col">工单编号</th>
              <th scope="col">由</th>
              <th scope="col">至</th>
              <th scope="col">理由</th>
              <th scope="col">记录人</th>
            </tr>
          </thead>
          <tbody>
            {sheet.changes.map((c) => (
              <tr key={`${c.caseId}-${c.at}-${c.kind}`}>
                <td>{formatTime(c.at)}</td>
                <td>{c.kindLabel}（{HANDOVER_LABELS.of[c.of]}）</td>
                <td><span className="no">{c.caseNo}</span></td>
                <td>{c.from}</td>
                <td>{c.to}</td>
                <td>{c.reason || '—'}</td>
                <td>{c.operator}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h2>
        仅存于本机、尚未上传中心的记录
        <small>共 {sheet.unsynced.total} 条，涉及 {sheet.unsynced.cases.length} 项；请勿清除本机数据</small>
      </h2>
      {sheet.unsynced.total === 0 ? (
        <p className="none">无：本站记录均已送达市级中心。</p>
      ) : (
        <>
          <table data-testid="sheet-unsynced">
            <thead>
              <tr>
                <th scope="col">工单编号</th>
                <th scope="col">尚未上传的记录</th>
                <th scope="col">条数</th>
              </tr>
            </thead>
            <tbody>
              {unsynced.map((g) => (
                <tr key={g.caseId}>
                  <td>
                    {g.caseNo ? <span className="no">{g.caseNo}</span> : g.events.some((e) => e.type === 'shift.handover') ? '交接班记录' : '（工单不在本机）'}
                  </td>
                  <td>{g.events.map((e) => `${e.typeLabel} ${shortTime(e.at)}（${e.operator}）`).join('；')}</td>
                  <td>{g.events.length}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <More shown={unsynced.length} total={sheet.unsynced.cases.length} what="项" />
        </>
      )}

      <h2>{HANDOVER_LABELS.notes}</h2>
      <div className="notes" data-testid="sheet-notes">{sheet.notes || '无'}</div>

      <div className="sign-off">
        <div className="signatures">
          <div className="sign">
            <span>交班人签字：</span>
            <span className="line" />
            <span className="names">（{names(sheet.signatures.outgoing.names)}）</span>
          </div>
          <div className="sign">
            <span>日期：</span>
            <span className="line" />
          </div>
          <div className="sign">
            <span>接班人签字：</span>
            <span className="line" />
            <span className="names">（{names(sheet.signatures.incoming.names)}）</span>
          </div>
          <div className="sign">
            <span>日期：</span>
            <span className="line" />
          </div>
        </div>

        <div className="footer">
          <span>接转办工作台 · 交接班记录 · 第 {sheet.version} 版格式</span>
          <span>{sheet.masked ? '本表个人信息已脱敏' : '本表含完整个人信息'}</span>
        </div>
      </div>
    </article>
  );
}

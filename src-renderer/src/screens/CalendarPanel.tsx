/**
 * The working-day calendar in use: each year's schedule and where it came from (shipped with
 * the software, handed down by the city hub, or loaded at this desk), what the hub last sent,
 * and loading a newly published year here when no hub hands it down.
 */
import { useEffect, useRef, useState } from 'react';
import { formatChinaDateTime } from '../../../src-common/domain';
import { useDesk } from '../app/desk-store';
import { addCalendarYear, calendarYearOrigin, hubCalendarState, workCalendar, type HubCalendarState } from '../app/rules';

function originText(year: number): string {
  const origin = calendarYearOrigin(year);
  if (!origin) return '随软件发布';
  if (origin.from === 'hub') return `市级中心下发（第 ${origin.revision} 版，${formatChinaDateTime(origin.at)} 收到）`;
  return `本站载入（${formatChinaDateTime(origin.at)}）`;
}

export function CalendarPanel() {
  const db = useDesk((s) => s.db)!;
  // the sync round bumps the desk's data version when the hub's calendar changed a year
  const dataVersion = useDesk((s) => s.dataVersion);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [version, setVersion] = useState(0);
  const [hub, setHub] = useState<HubCalendarState | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const thisYear = new Date().getFullYear();
  const years = [thisYear - 1, thisYear, thisYear + 1];
  const calendar = workCalendar();

  useEffect(() => {
    let live = true;
    void hubCalendarState(db).then((state) => live && setHub(state));
    return () => {
      live = false;
    };
  }, [db, dataVersion, version]);

  async function load(file: File) {
    try {
      const year = await addCalendarYear(db, JSON.parse(await file.text()));
      setMessage({ ok: true, text: `已载入 ${year} 年放假安排` });
      setVersion((v) => v + 1);
    } catch (e) {
      setMessage({ ok: false, text: `未载入：${e instanceof SyntaxError ? '文件不是有效的 JSON' : String((e as Error)?.message ?? e)}` });
    } finally {
      if (input.current) input.current.value = '';
    }
  }

  return (
    <section className="panel" aria-label="工作日历">
      <h2>工作日历（时限按工作日计算）</h2>
      <ul className="hint" data-testid="calendar-years">
        {years.map((y) => {
          const schedule = calendar.years().find((c) => c.year === y);
          return (
            <li key={y} data-year={y}>
              {y} 年：
              {schedule?.official ? (
                `已按国务院办公厅公布的放假安排（${schedule.source}）· ${originText(y)}`
              ) : schedule ? (
                <span style={{ color: 'var(--warn)' }}>按未正式公布的安排草案计算（{schedule.source}）· {originText(y)}</span>
              ) : (
                <span style={{ color: 'var(--warn)' }}>暂无公布的放假安排，按周末和固定日期节日临时计算，春节等农历节日未计入</span>
              )}
            </li>
          );
        })}
      </ul>
      {hub && hub.checkedAt && (
        <p className="hint" data-testid="calendar-hub">
          市级中心日历：第 {hub.revision} 版，{formatChinaDateTime(hub.checkedAt)} 核对
        </p>
      )}
      {hub?.error && (
        <p className="error" role="alert" data-testid="calendar-hub-error">
          {hub.error}（本站仍按原日历计算）
        </p>
      )}
      <p className="hint">新一年的放假安排一般由市级中心统一载入并随同步下发；未接入中心的站点可在此载入。</p>
      <button type="button" className="btn" onClick={() => input.current?.click()}>载入新一年放假安排…</button>
      <input ref={input} type="file" accept=".json,application/json" hidden data-testid="calendar-file" onChange={(e) => e.target.files?.[0] && void load(e.target.files[0])} />
      {message && <p className={message.ok ? 'hint' : 'error'} role="alert">{message.text}</p>}
    </section>
  );
}

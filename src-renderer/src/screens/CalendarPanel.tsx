/** The working-day calendar in use, and loading a newly published year without a new release. */
import { useRef, useState } from 'react';
import { useDesk } from '../app/desk-store';
import { addCalendarYear, workCalendar } from '../app/rules';

export function CalendarPanel() {
  const db = useDesk((s) => s.db)!;
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [, setVersion] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const thisYear = new Date().getFullYear();
  const years = [thisYear - 1, thisYear, thisYear + 1];
  const calendar = workCalendar();

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
          const official = calendar.yearStatus(y) === 'official';
          const source = calendar.years().find((c) => c.year === y)?.source;
          return (
            <li key={y}>
              {y} 年：{official ? `已按国务院办公厅公布的放假安排（${source ?? ''}）` : <span style={{ color: 'var(--warn)' }}>暂无公布的放假安排，按周末和固定日期节日临时计算，春节等农历节日未计入</span>}
            </li>
          );
        })}
      </ul>
      <button type="button" className="btn" onClick={() => input.current?.click()}>载入新一年放假安排…</button>
      <input ref={input} type="file" accept=".json,application/json" hidden data-testid="calendar-file" onChange={(e) => e.target.files?.[0] && void load(e.target.files[0])} />
      {message && <p className={message.ok ? 'hint' : 'error'} role="alert">{message.text}</p>}
    </section>
  );
}

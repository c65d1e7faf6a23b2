/**
 * Calendar years for tests: made up, plainly labelled so, never shipped. (The real 2027
 * schedule is the State Council's to publish; a test must not pass for it.)
 */
export function draftYear2027(source = '测试用：2027 年安排（虚构，仅供测试）'): Record<string, unknown> {
  return {
    schema: 1,
    year: 2027,
    source,
    official: false,
    holidays: [
      { name: '元旦', from: '2027-01-01', to: '2027-01-03' },
      { name: '劳动节', from: '2027-05-01', to: '2027-05-05' },
      { name: '国庆节', from: '2027-10-01', to: '2027-10-07' },
    ],
    makeupWorkdays: [
      { date: '2027-04-24', for: '劳动节' },
      { date: '2027-10-09', for: '国庆节' },
    ],
  };
}

/**
 * A made-up 2026 with one holiday of four weeks from 3 March: loaded, it moves every working-day
 * count in March far past what the shipped 2026 gives (further than any slack).
 */
export function longHoliday2026(): Record<string, unknown> {
  return {
    schema: 1,
    year: 2026,
    source: '测试用：2026 年三月长假（虚构，仅供测试）',
    official: true,
    holidays: [{ name: '测试长假', from: '2026-03-03', to: '2026-03-31' }],
    makeupWorkdays: [],
  };
}

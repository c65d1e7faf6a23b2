/**
 * Two tabs of one desk saving intakes at the same moments, in Chromium's real IndexedDB. Each
 * tab predicts its next save from its own last one (store/record.ts) and is wrong whenever the
 * other tab saved in between: its predicted transaction must then be aborted before it commits
 * and the save done again on what the store holds. Whatever the interleaving, every case is
 * whole, every station number is given once and none is skipped, the kept counters match the
 * rows, and no case number repeats.
 */
import { expect, test } from './fixtures';
import { BenchTab } from './pages/bench';

const EACH = 60;

test('two tabs saving at once: every case whole, every number once, the counters right', async ({ page, context }) => {
  const first = new BenchTab(page);
  await first.open();
  await first.reset();
  const second = new BenchTab(await context.newPage());
  await second.open();
  const [a, b] = await Promise.all([first.saveIntakes(EACH), second.saveIntakes(EACH)]);
  const caseIds = [...a.caseIds, ...b.caseIds];
  const caseNos = [...a.caseNos, ...b.caseNos];
  // both ways were taken: predictions that held, and predictions the other tab had made wrong
  const stats = { predicted: a.stats.predicted + b.stats.predicted, mispredicted: a.stats.mispredicted + b.stats.mispredicted };
  test.info().annotations.push({ type: 'predictions', description: JSON.stringify({ first: a.stats, second: b.stats }) });
  expect(stats.mispredicted, 'the tabs never saved between each other’s saves: nothing was tested').toBeGreaterThan(0);
  expect(stats.predicted).toBeGreaterThan(0);
  await second.page.close();
  const store = await first.inspect(caseIds);
  const numbers = Array.from({ length: EACH * 2 * 3 }, (_, i) => i + 1);
  expect(store.cases).toBe(EACH * 2);
  expect(store.events).toBe(EACH * 2 * 3);
  expect(store.outbox).toBe(EACH * 2 * 3);
  expect(store.missing).toEqual([]);
  expect(store.partial).toEqual([]);
  expect(store.orphanEvents).toEqual([]);
  expect(store.counterMismatches).toEqual([]);
  expect(store.lseqs).toEqual(numbers);
  expect(store.seqs).toEqual(numbers);
  expect(new Set(caseNos).size).toBe(EACH * 2);
});

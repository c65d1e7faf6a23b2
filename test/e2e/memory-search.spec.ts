/**
 * The in-memory search in the real Chromium: its write feed must announce a commit before the
 * code awaiting that commit goes on. (fake-indexeddb, under the unit tests, runs every
 * 'complete' listener before any promise continuation; Chromium runs continuations between
 * two listeners of one event, so only here can a late announcement show.) Runs the store code
 * on the benchmark page of the web build, in a database of its own.
 */
import { expect, test } from '@playwright/test';

type Check = { filled: boolean; results: Array<{ found: boolean; first: boolean; plan: string }> };
type BenchPage = { relayBench?: { searchRightAfterSave(o: { saves: number }): Promise<Check> } };

test('a case searched for right after its save is found, first, through the in-memory search', async ({ page }) => {
  await page.goto('/bench.html');
  await page.waitForFunction(() => Boolean((window as unknown as BenchPage).relayBench));
  const { filled, results } = await page.evaluate(() => (window as unknown as BenchPage).relayBench!.searchRightAfterSave({ saves: 8 }));
  expect(filled).toBe(true);
  expect(results).toHaveLength(8);
  for (const [i, r] of results.entries()) {
    expect(r.plan, `save ${i}`).toBe('memory:窨井');
    expect(r.found, `save ${i}: the case just saved is on the page`).toBe(true);
    expect(r.first, `save ${i}: and first, the latest update`).toBe(true);
  }
});

/**
 * The store's bench page (bench.html: the app's store without its screens), driven from a test:
 * for what the screens cannot do on cue, such as two tabs saving at the same moments.
 */
import type { Page } from '@playwright/test';

export interface StoreInspection {
  cases: number;
  events: number;
  outbox: number;
  missing: string[];
  partial: string[];
  orphanEvents: string[];
  counterMismatches: Array<{ key: string; kept: number; rows: number }>;
  lseqs: number[];
  seqs: number[];
}

export interface SavedIntakes {
  caseIds: string[];
  caseNos: string[];
  /** this tab's saves since it opened: predicted right (one round trip), or done again (store/record.ts) */
  stats: { predicted: number; mispredicted: number };
}

type Bench = {
  relayBench: {
    reset(): Promise<void>;
    saveIntakes(o: { count: number }): Promise<SavedIntakes>;
    inspectStore(o: { caseIds: string[] }): Promise<StoreInspection>;
  };
};

export class BenchTab {
  constructor(readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.goto('/bench.html');
    await this.page.waitForFunction(() => document.body.dataset.ready === 'true');
  }

  /** Delete the app's database (no other tab may hold it open). */
  reset(): Promise<void> {
    return this.page.evaluate(() => (window as unknown as Bench).relayBench.reset());
  }

  saveIntakes(count: number): Promise<SavedIntakes> {
    return this.page.evaluate((n) => (window as unknown as Bench).relayBench.saveIntakes({ count: n }), count);
  }

  inspect(caseIds: string[]): Promise<StoreInspection> {
    return this.page.evaluate((ids) => (window as unknown as Bench).relayBench.inspectStore({ caseIds: ids }), caseIds);
  }
}

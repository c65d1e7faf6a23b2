/**
 * The station's local store: IndexedDB through Dexie.
 *
 * Durability is chosen on purpose: Chromium commits IndexedDB transactions with "relaxed"
 * durability by default, which can lose the last seconds of writes on a power cut. A case
 * an operator saved must survive that, so every transaction here is "strict" (flushed to
 * disk before it reports success). `npm run bench:store` prints what that costs.
 *
 * Schema versions only grow: never edit a shipped `version(n)` step, add a new one.
 */
import Dexie, { type Table } from 'dexie';
import { awaitingKeyOf, type CaseState, type RelayEvent } from '../../../src-common/domain';
import { caseWriteFeedOf, installCaseWriteFeed } from './case-write-feed';
import { installSaveBasisWatch } from './save-basis';

export type StoredEvent = RelayEvent & {
  /**
   * the hub's sequence number when the event arrived with one (pulled, restored) or was
   * numbered before schema v5, else null: the numbers a push acknowledges are kept in
   * `hubAcks` instead (read both through withHubSeqs, hub-seqs.ts)
   */
  hubSeq: number | null;
  /** local arrival order at this station */
  lseq: number;
};

export type StoredCase = CaseState & {
  ownerId: string;
  /** dueAt, or a far-future key so cases without a deadline sort last and stay indexed */
  dueKey: string;
  /** the case's search terms (caseSearchTerms): read into the in-memory search (memory-search.ts), not indexed here */
  terms: string[];
  /** who a pending hand-over waits for (see handover-target.ts); absent when none */
  awaitingKey?: string;
  /**
   * Present only when every event folded into this row has a hub number: the highest hub number
   * and each station's highest seq among them. Events that come after both fold after every
   * event held (see orderForFold), so they can be applied to the row without reading the case's
   * events again (apply-external.ts). Any local write drops it (the row then holds an event
   * without a hub number); a full refold sets it again.
   */
  foldTip?: FoldTip;
};

export interface FoldTip {
  hub: number;
  seqs: Record<string, number>;
}

export interface OutboxRow {
  eventId: string;
  lseq: number;
  queuedAt: string;
  /** the pull cursor this station had applied when it recorded the event (sent as the push's basis) */
  basis?: string;
}

/** An event the hub refused for good: kept (never deleted) and shown to the operator. */
export interface RejectedRow {
  eventId: string;
  code: string;
  reason: string;
  at: string;
}

/** An alert raised at this station, kept until someone acknowledges it. */
export interface AlertRow {
  id: string;
  caseId: string;
  caseNo?: string;
  kind: string;
  title: string;
  body: string;
  urgent: boolean;
  raisedAt: string;
  lastNotifiedAt: string | null;
  repeatEveryMs: number | null;
  ackedAt: string | null;
  ackedBy: string | null;
}

/**
 * The hub's sequence numbers of this station's events, as one push acknowledgement gave them:
 * `hubSeqs[i]` is the number of event `ids[i]`. A later row wins over an earlier one.
 */
export interface HubAckRow {
  /** auto-increment: the order acknowledgements were recorded in */
  n?: number;
  ids: string[];
  hubSeqs: number[];
  /**
   * beside `ids`: the pull cursor each event was recorded at (its outbox row's basis; null where
   * none), kept so an event sent again later (the hub lost it: gaps, a rollback) carries it again
   */
  bases?: Array<string | null>;
}

export interface SettingRow {
  key: string;
  value: unknown;
}

export interface CounterRow {
  key: string;
  n: number;
}

/** The case indexes of schema version 1, as shipped: later versions only add to them. */
const CASE_INDEXES_V1 = [
  'id',
  'caseNo',
  'updatedAt',
  'receivedAt',
  'dueKey',
  'department',
  '[status+updatedAt]',
  '[status+receivedAt]',
  '[status+dueKey]',
  '[urgency+updatedAt]',
  '[urgency+receivedAt]',
  '[nature+updatedAt]',
  '[nature+receivedAt]',
  '[category+updatedAt]',
  '[category+receivedAt]',
  '[ownerId+updatedAt]',
  '[ownerId+receivedAt]',
  '*terms',
];

/**
 * The case indexes from v4: the search terms moved to their own store (caseTerms), and
 * caseNo/department, which no reader queries, are gone. Every remaining index has a reader:
 * the list planner (list-query.ts choosePlan and its sort keys), the work queues
 * (work-queue.ts) and duplicate candidates (duplicate-candidates.ts).
 */
const CASE_INDEXES_V4 = [
  'id',
  'updatedAt',
  'receivedAt',
  'dueKey',
  '[status+updatedAt]',
  '[status+receivedAt]',
  '[status+dueKey]',
  '[urgency+updatedAt]',
  '[urgency+receivedAt]',
  '[nature+updatedAt]',
  '[nature+receivedAt]',
  '[category+updatedAt]',
  '[category+receivedAt]',
  '[ownerId+updatedAt]',
  '[ownerId+receivedAt]',
  'awaitingKey',
  '[ownerId+dueKey]',
];

/**
 * The case indexes from v7: the list's urgency, nature and owner filters (and category with a
 * sort other than the time received) are answered from the in-memory index, which holds every
 * case's status, urgency, nature, category, owner and sort keys (memory-search.ts,
 * list-query.ts). Their seven compound indexes were only ever read by the list, and each cost
 * every case write (a save, each pulled page) seven index entries. `[category+receivedAt]`
 * stays: duplicate candidates (duplicate-candidates.ts) read it.
 */
const CASE_INDEXES_V7 = CASE_INDEXES_V4.filter(
  (index) => !['[urgency+updatedAt]', '[urgency+receivedAt]', '[nature+updatedAt]', '[nature+receivedAt]', '[category+updatedAt]', '[ownerId+updatedAt]', '[ownerId+receivedAt]'].includes(index),
);

/** termsState keys written by the v4 upgrade, as shipped (the store is gone since v6) */
const TERMS_INDEXED_TO_KEY = 'indexedTo';
const TERMS_BACKFILL_KEY = 'backfillAfter';

export const NO_DUE_KEY = '9999-12-31T23:59:59.999Z';
export const DEFAULT_DB_NAME = 'relay-desk';

export class RelayDb extends Dexie {
  events!: Table<StoredEvent, string>;
  cases!: Table<StoredCase, string>;
  outbox!: Table<OutboxRow, string>;
  settings!: Table<SettingRow, string>;
  counters!: Table<CounterRow, string>;
  rejected!: Table<RejectedRow, string>;
  alerts!: Table<AlertRow, string>;
  hubAcks!: Table<HubAckRow, number>;

  /** the IDBKeyRange of the IndexedDB this database runs on, for requests made past Dexie */
  readonly keyRange: typeof IDBKeyRange;

  constructor(name: string = DEFAULT_DB_NAME, options: { indexedDB?: IDBFactory; IDBKeyRange?: typeof IDBKeyRange } = {}) {
    super(name, { chromeTransactionDurability: 'strict', ...options });
    this.keyRange = options.IDBKeyRange ?? globalThis.IDBKeyRange;
    // every committed change to the case rows, for the in-memory search (memory-search-source.ts)
    installCaseWriteFeed(this, 'cases', `relay-desk:case-writes:${name}`);
    installSaveBasisWatch(this);
    this.version(1).stores({
      events: 'id, caseId, [stationId+seq], lseq, hubSeq',
      cases: CASE_INDEXES_V1.join(', '),
      outbox: 'eventId, lseq',
      settings: 'key',
      counters: 'key',
    });
    // v2 (part 2, sync): events the hub refused for good
    this.version(2).stores({
      rejected: 'eventId, at',
    });
    // v3 (part 3, the whole loop): work queues by receiver and deadline; the alert list
    this.version(3)
      .stores({
        cases: [...CASE_INDEXES_V1, 'awaitingKey', '[ownerId+dueKey]'].join(', '),
        alerts: 'id, caseId, ackedAt, raisedAt',
      })
      .upgrade((tx) =>
        tx
          .table<StoredCase, string>('cases')
          .toCollection()
          .modify((row) => {
            const key = awaitingKeyOf(row.awaiting);
            if (key) row.awaitingKey = key;
          }),
      );
    // v4 (performance): search terms in their own store, written once per case; unused case
    // and event indexes dropped. (The terms of the cases already held were copied over in the
    // background after the upgrade; since v6 that store is gone again, see below.)
    this.version(4)
      .stores({
        // no reader queries events by hubSeq: one index entry less per event written or numbered
        events: 'id, caseId, [stationId+seq], lseq',
        cases: CASE_INDEXES_V4.join(', '),
        caseTerms: 'caseId, *terms',
        termsState: 'key',
      })
      .upgrade(async (tx) => {
        const lseq = (await tx.table<SettingRow, string>('settings').get('local:lseq'))?.value;
        const hasCases = (await tx.table<StoredCase, string>('cases').limit(1).count()) > 0;
        await tx.table<SettingRow, string>('termsState').bulkPut([
          // events recorded from now on are indexed as usual ...
          { key: TERMS_INDEXED_TO_KEY, value: typeof lseq === 'number' ? lseq : 0 },
          // ... and the cases held before, by the backfill, in case id order after this one
          ...(hasCases ? [{ key: TERMS_BACKFILL_KEY, value: '' }] : []),
        ]);
      });
    // v5 (delivery speed): the hub numbers of acknowledged pushes, beside the event rows: one
    // row per acknowledgement (multi-entry index on its event ids), so recording a batch's
    // numbers is one write instead of rewriting every event row with its five index entries
    // (see hub-seqs.ts). Nothing to migrate: numbers already on event rows stay there.
    this.version(5).stores({
      hubAcks: '++n, *ids',
    });
    // v6 (save speed): the search terms store and its watermark are gone. Search reads the terms
    // kept in the case rows into memory (memory-search.ts), so a save or a pull writes nothing
    // more for it (writing them after each save cost the next save ~2 ms median, more at p95).
    // Derived data only: nothing recorded is lost.
    this.version(6).stores({
      caseTerms: null,
      termsState: null,
    });
    // v7 (pull speed): seven of the list's compound case indexes are gone (see CASE_INDEXES_V7);
    // a pulled page of 500 events applied ~10 % faster. Index entries only: no row changes.
    this.version(7).stores({
      cases: CASE_INDEXES_V7.join(', '),
    });
  }

  override close(options?: { disableAutoOpen: boolean }): void {
    caseWriteFeedOf(this)?.close();
    super.close(options);
  }
}

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
  terms: string[];
  /** who a pending hand-over waits for (see handover-target.ts); absent when none */
  awaitingKey?: string;
};

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

  constructor(name: string = DEFAULT_DB_NAME, options: { indexedDB?: IDBFactory; IDBKeyRange?: typeof IDBKeyRange } = {}) {
    super(name, { chromeTransactionDurability: 'strict', ...options });
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
    // v5 (delivery speed): the hub numbers of acknowledged pushes, beside the event rows: one
    // row per acknowledgement (multi-entry index on its event ids), so recording a batch's
    // numbers is one write instead of rewriting every event row with its five index entries
    // (see hub-seqs.ts). Nothing to migrate: numbers already on event rows stay there.
    this.version(5).stores({
      hubAcks: '++n, *ids',
    });
  }
}

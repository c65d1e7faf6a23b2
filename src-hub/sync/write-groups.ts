/**
 * Group commit for the pushes of one hub process on PostgreSQL.
 *
 * Every push's write runs under the sync lock (hub numbers in commit order), so pushes that
 * arrive together queue for it, and each used to pay, while holding it, for its own lock hand-over
 * and its own COMMIT (a WAL flush). Here the pushes waiting for the lock form a group: the first
 * becomes the group's leader, takes the sync lock in its own transaction, and then writes every
 * member's prepared batch in that one transaction, in the order they joined, with one COMMIT.
 * The members wait meanwhile in their own transactions (each still holding its station's lock,
 * so nothing it read can change) and hear their result only after the group has committed.
 *
 * - A member whose guarded write did not apply (the context it was judged on changed: another
 *   member or process wrote on its cases) is told so and judges again under the lock itself.
 * - If the group's transaction fails (a statement's error, or COMMIT), every member is told
 *   nothing was written and goes the single way (judge and write under the lock in its own
 *   transaction); were the COMMIT in fact done, that finds its events held: duplicates, the
 *   same acknowledgement.
 * - One leader at a time per process: the next group forms while one writes. Other processes
 *   on the same database take the same sync lock, so their groups take turns with ours.
 *
 * The coordination only: what is written, and how, is the caller's (push.ts).
 */

/** What a member hears: its write's result after the group committed, or null (not written). */
export type Settled<R> = { kind: 'settled'; result: R | null };

/** What the leader is handed: the group to write, and how to end its turn. */
export interface Lead<W, R> {
  kind: 'lead';
  /**
   * The group, taken when the leader is ready to write (call after taking the sync lock: the
   * group grows while it waits): its own write first, then the others in the order they joined.
   */
  take(): W[];
  /** The group committed: results in the order of take(), the leader's own first. */
  committed(results: readonly R[]): void;
  /** The group was not written (or its commit failed): every member writes by itself. */
  failed(): void;
}

interface Member<W, R> {
  write: W;
  hear: (turn: Lead<W, R> | Settled<R>) => void;
}

export class WriteGroups<W, R> {
  #waiting: Array<Member<W, R>> = [];
  #leading = false;

  /** @param maxGroup how many writes one group holds at most (the rest form the next) */
  constructor(readonly maxGroup = 16) {
    if (!Number.isSafeInteger(maxGroup) || maxGroup < 1) throw new Error(`WriteGroups: maxGroup must be a whole number ≥ 1 (${maxGroup})`);
  }

  /** How many writes wait for a leader to take them (tests, health). */
  get waiting(): number {
    return this.#waiting.length;
  }

  /**
   * Join the next group with a prepared write. Resolves either with the lead (this caller
   * writes the group, and MUST end the turn with committed() or failed()), or with this
   * write's result once a leader has committed it (null: not written, write it alone).
   */
  join(write: W): Promise<Lead<W, R> | Settled<R>> {
    return new Promise((hear) => {
      this.#waiting.push({ write, hear });
      if (!this.#leading) this.#promote();
    });
  }

  #promote(): void {
    const leader = this.#waiting.shift();
    if (!leader) return;
    this.#leading = true;
    let members: Array<Member<W, R>> | null = null;
    let ended = false;
    const end = () => {
      if (ended) throw new Error('WriteGroups: the turn has already ended');
      ended = true;
      this.#leading = false;
      this.#promote();
    };
    leader.hear({
      kind: 'lead',
      take: () => {
        if (ended) throw new Error('WriteGroups: take() after the turn ended');
        if (members === null) members = this.#waiting.splice(0, this.maxGroup - 1);
        return [leader.write, ...members.map((m) => m.write)];
      },
      committed: (results) => {
        const taken = members ?? [];
        end();
        if (results.length !== taken.length + 1) {
          for (const m of taken) m.hear({ kind: 'settled', result: null });
          throw new Error(`WriteGroups: ${results.length} results for a group of ${taken.length + 1}`);
        }
        taken.forEach((m, i) => m.hear({ kind: 'settled', result: results[i + 1]! }));
      },
      failed: () => {
        end();
        for (const m of members ?? []) m.hear({ kind: 'settled', result: null });
      },
    });
  }
}

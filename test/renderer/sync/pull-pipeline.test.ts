/**
 * pullAll fetches page n+1 while page n is applied, one request at a time, and applies pages
 * strictly in order, each with its cursor in the same transaction. When applying a page
 * fails, the page fetched ahead is dropped unapplied and the stored cursor stays before it:
 * the next pull fetches it again and nothing is lost or doubled.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { HOTLINE_TARGET, intakeCommands, type IntakeDraft, type RelayEvent, type Station } from '../../../src-common/domain';
import type { PullResponse } from '../../../src-common/protocol/v1';
import type { RelayDb } from '../../../src-renderer/src/store/db';
import { recordCommands } from '../../../src-renderer/src/store/record';
import type { HubClient } from '../../../src-renderer/src/sync/hub-client';
import { pullAll, readCursor } from '../../../src-renderer/src/sync/pull';
import { P110, stationOf } from '../../domain/fixtures';
import { freshDb, steppingClock } from '../store/helpers';

const p110: Station = stationOf(P110, 'police110', '王强');

const opened: RelayDb[] = [];
afterEach(() => {
  for (const d of opened.splice(0)) d.close();
});
function db(): RelayDb {
  const d = freshDb();
  opened.push(d);
  return d;
}

function draft(i: number): IntakeDraft {
  return {
    channel: 'call110', receivedAt: '2026-03-02T08:00:00.000Z', callerName: '张三', callerPhone: '13912345678', anonymous: false, confidential: false,
    address: `通达路 ${i} 号`, district: '兰山区', nature: 'help', category: 'utility.water', urgency: 'normal',
    description: `第 ${i} 起停水`, verdict: 'nonPolice', verdictReason: '', transfer: { to: HOTLINE_TARGET, threeWayCall: false, note: '' },
  };
}

/** The events of `n` intakes at a 110 desk, as the hub would number them. */
async function hubLog(n: number): Promise<Array<{ hubSeq: number; event: RelayEvent }>> {
  const source = db();
  const clock = steppingClock();
  const events: RelayEvent[] = [];
  for (let i = 1; i <= n; i++) events.push(...(await recordCommands(source, { station: p110, now: clock }, intakeCommands(draft(i), p110, `A-${i}`, clock()))));
  return events.map((event, i) => ({ hubSeq: i + 1, event }));
}

type Step = { fetch: string } | { answered: string } | { applied: string };

/** Pages of `size` from the log; records when each request starts and ends. */
class PagingHub implements Pick<HubClient, 'pull'> {
  readonly timeline: Step[] = [];
  inFlight = 0;
  maxInFlight = 0;
  constructor(
    readonly log: Array<{ hubSeq: number; event: RelayEvent }>,
    readonly size: number,
  ) {}
  async pull(after: string): Promise<PullResponse> {
    this.timeline.push({ fetch: after });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise((r) => setTimeout(r, 5));
    this.inFlight--;
    const from = Number(after);
    const page = this.log.filter((e) => e.hubSeq > from).slice(0, this.size);
    const last = page.at(-1)?.hubSeq ?? from;
    this.timeline.push({ answered: after });
    return { events: page, cursor: String(last), more: last < this.log.length };
  }
}

function client(hub: PagingHub): HubClient {
  return { health: async () => Promise.reject(new Error('unused')), me: async () => Promise.reject(new Error('unused')), push: async () => Promise.reject(new Error('unused')), pull: (a) => hub.pull(a), calendar: async () => Promise.reject(new Error('unused')) };
}

describe('pullAll, pipelined', () => {
  it('asks for the next page before the current one is applied, one request at a time, and applies every page once, in order', async () => {
    const log = await hubLog(10); // 30 events
    const hub = new PagingHub(log, 7);
    const d = db();
    const summary = await pullAll(d, client(hub), 7);
    expect(summary).toMatchObject({ pages: 5, received: 30, added: 30 });
    expect(hub.maxInFlight).toBe(1);
    expect(hub.timeline.filter((s) => 'fetch' in s).map((s) => (s as { fetch: string }).fetch)).toEqual(['0', '7', '14', '21', '28']);
    expect(await readCursor(d)).toBe('30');
    expect((await d.events.orderBy('lseq').toArray()).map((e) => e.hubSeq)).toEqual(log.map((e) => e.hubSeq));
    expect(await d.cases.count()).toBe(10);
  });

  it('when applying a page fails, the page fetched ahead is not applied; the next pull resumes after the last applied page', async () => {
    const log = await hubLog(6); // 18 events
    const bad = { ...log[8]!, event: { ...log[8]!.event, seq: -1 } as unknown as RelayEvent }; // page 2 holds a malformed event
    const hub = new PagingHub([...log.slice(0, 8), bad, ...log.slice(9)], 5);
    const d = db();
    await expect(pullAll(d, client(hub), 5)).rejects.toThrow();
    // page 1 applied with its cursor; page 2 refused whole; page 3 was fetched ahead but never applied
    expect(hub.timeline.filter((s) => 'fetch' in s).map((s) => (s as { fetch: string }).fetch)).toEqual(['0', '5', '10']);
    expect(await readCursor(d)).toBe('5');
    expect(await d.events.count()).toBe(5);
    // the hub corrected: pulling again from the stored cursor brings the rest, once
    const fixed = new PagingHub(log, 5);
    const summary = await pullAll(d, client(fixed), 5);
    expect(fixed.timeline.filter((s) => 'fetch' in s).map((s) => (s as { fetch: string }).fetch)[0]).toBe('5');
    expect(summary.added).toBe(13);
    expect(await d.events.count()).toBe(18);
    expect(await readCursor(d)).toBe('18');
  });
});

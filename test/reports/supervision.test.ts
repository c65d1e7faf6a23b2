/**
 * The supervision report over 2026-03-02 00:00 – 03-05 00:00 (local, 3 days), made at
 * 03-05 12:00 (so deadlines are judged at the period end, 03-05 00:00). Every expected
 * figure is worked out by hand from the history below (all 兰山区 unless said otherwise).
 *
 * A  城市供暖, 12345 03-02 09:00. Assigned to 交通 09:05 (ack by 09:35, feedback by 03-03 09:05);
 *    交通 returns it unacknowledged 09:30 (before its ack deadline). Reassigned to 住建 09:40
 *    (ack by 10:10, feedback by 03-03 09:40); 住建 acknowledges 10:30 (late), reports 03-03
 *    09:00 (on time). Callback satisfied 03-03 15:00; closed 15:05.
 * B  拖欠工资, 03-02 10:00. Assigned to 人社 10:05 (ack by 10:35, feedback by 03-03 10:05);
 *    acknowledged 10:20. Extension asked 16:00, granted 17:00 until 03-04 10:05. Feedback
 *    03-04 09:00: late against the first deadline, on time thanks to the extension.
 *    Callback basically satisfied 03-04 11:00.
 * C  消费投诉, 03-02 11:00. Passed to 3 departments: 交通 11:05 (ack by 11:35), acknowledged
 *    11:10, returned 11:30; 住建 11:40 (ack by 12:10), returned unacknowledged 12:30 (after its
 *    ack deadline); 市场 12:40 (ack by 13:10, feedback by 03-03 12:40), acknowledged 13:00,
 *    reports 03-03 12:00. Callback unsatisfied 03-03 16:00.
 * D  出租车失物, 03-03 08:00. 交通 08:05 (ack by 08:35, feedback by 20:05), acknowledged 08:10,
 *    reports 21:00 (late). Callback unreachable 03-04 09:00; callback satisfied 03-05 09:00
 *    (after the period: not counted).
 * E  城市供水, urgent, 03-04 08:00. 住建 08:05 (ack by 08:35, feedback by 20:05): never acknowledged.
 * F  城市供水, 03-01 10:00 (previous period), all done on 03-01: not counted, but in "上期".
 * G  拖欠工资, 02-28 09:00 (previous period), only received.
 * K  城市供水, 03-05 01:00 (after the period), 住建 01:05 (ack by 01:35): never acknowledged.
 * I  城市供水, 河东区, 03-02 14:00. 住建 14:05 (ack by 14:35, feedback by 03-03 14:05),
 *    acknowledged 14:10, reports 18:00.
 * J  no category, 110 03-02 20:00, screened, transferred to 12345 20:02; 12345 returns the
 *    transfer 20:10; 110 transfers again 20:15 (ack by 20:45): never acknowledged.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadDefaultCatalogue } from '../../src-common/domain';
import {
  buildSupervisionReport,
  periodBuckets,
  type DepartmentFigures,
  type SupervisionInput,
  type SupervisionReport,
} from '../../src-common/reports';
import { dept, H, History, HRSS, L, shuffled, supervisionHistory } from './fixtures';
import { CaseScript, COUNTY as COUNTY_UNIT, createdPayload, P110 as P110D } from '../domain/fixtures';

const catalogue = loadDefaultCatalogue();

const history = supervisionHistory;

const PERIOD = { from: L('03-02 00:00'), to: L('03-05 00:00'), granularity: 'day' as const };

function report(over: Partial<SupervisionInput> = {}, events = history().events): SupervisionReport {
  return buildSupervisionReport({ events, period: PERIOD, district: null, catalogue, now: L('03-05 12:00'), ...over });
}

const sat = (satisfied: number, basicallySatisfied: number, unsatisfied: number, unreachable: number) => ({
  satisfied,
  basicallySatisfied,
  unsatisfied,
  unreachable,
  total: satisfied + basicallySatisfied + unsatisfied + unreachable,
});
const r = (numerator: number, denominator: number) => ({
  numerator,
  denominator,
  rate: denominator === 0 ? null : numerator / denominator,
});

/** the figures of a row, without the reasons list */
function figures(d: DepartmentFigures) {
  const { returnReasons: _reasons, ...rest } = d;
  return rest;
}

describe('buildSupervisionReport: every district', () => {
  const fixture = history();
  const rep = report({}, fixture.events);
  const row = (code: string) => rep.departments.find((d) => d.department === code)!;

  it('period, previous period, judging moment and buckets', () => {
    expect(rep.version).toBe(1);
    expect(rep.generatedAt).toBe(L('03-05 12:00'));
    expect(rep.period).toEqual({
      ...PERIOD,
      previousFrom: L('02-27 00:00'),
      previousTo: L('03-02 00:00'),
      asOf: L('03-05 00:00'),
    });
    expect(rep.district).toBeNull();
    expect(rep.utcOffsetMinutes).toBe(480);
    expect(rep.buckets).toEqual([
      { key: '2026-03-02', label: '2026-03-02', start: L('03-02 00:00'), end: L('03-03 00:00') },
      { key: '2026-03-03', label: '2026-03-03', start: L('03-03 00:00'), end: L('03-04 00:00') },
      { key: '2026-03-04', label: '2026-03-04', start: L('03-04 00:00'), end: L('03-05 00:00') },
    ]);
  });

  it('departments in catalogue order: 人社, 住建城管, 交通, 工商质监食药', () => {
    expect(rep.departments.map((d) => [d.department, d.name])).toEqual([
      ['hrss', '人社'],
      ['housing', '住建城管'],
      ['transport', '交通'],
      ['market', '工商质监食药'],
    ]);
  });

  it('人社: one assignment, acknowledged on time, feedback on time thanks to the extension', () => {
    expect(figures(row('hrss'))).toEqual({
      department: 'hrss',
      name: '人社',
      assigned: 1,
      returned: 0,
      reassignedBeyondFirst: 0,
      bouncedCases: 0,
      ackDue: 1,
      ackOnTime: 1,
      ackLate: 0,
      ackMissing: 0,
      feedbackDue: 1, // B, due 03-04 10:05 after the extension
      feedbackOnTime: 1,
      feedbackLate: 0,
      feedbackMissing: 0,
      overdueNow: 0,
      callbacks: sat(0, 1, 0, 0),
      sortedRight: r(1, 1),
      received: r(1, 1),
      feedbackOnTimeRate: r(1, 1),
      satisfaction: r(1, 1),
    });
  });

  it('住建: A acknowledged late after a return elsewhere; C returned late unacknowledged; E never acknowledged', () => {
    expect(figures(row('housing'))).toEqual({
      department: 'housing',
      name: '住建城管',
      assigned: 4, // A 09:40, C 11:40, I 14:05, E 03-04 08:05 (K is after the period)
      returned: 1, // C 12:30
      reassignedBeyondFirst: 0,
      bouncedCases: 1, // C
      ackDue: 4,
      ackOnTime: 1, // I
      ackLate: 1, // A: 10:30 > 10:10
      ackMissing: 2, // C: returned 12:30 after its 12:10 deadline; E
      feedbackDue: 3, // A, I, E (C was returned before its feedback deadline)
      feedbackOnTime: 2, // A, I
      feedbackLate: 0,
      feedbackMissing: 1, // E
      overdueNow: 2, // E and K, both waiting for acknowledgement at 03-05 12:00
      callbacks: sat(1, 0, 0, 0), // A
      sortedRight: r(3, 4), // 4 − 1 − 0
      received: r(1, 4),
      feedbackOnTimeRate: r(2, 3),
      satisfaction: r(1, 1),
    });
    expect(row('housing').returnReasons).toEqual([
      {
        caseId: fixture.cases.c.caseId,
        caseNo: 'C-001',
        at: L('03-02 12:30'),
        stationId: 'unit-housing',
        stationName: '市住建局值班室',
        reason: '非住建部门职责',
      },
    ]);
  });

  it('交通: two returns, D reported late, only an unreachable callback (satisfaction —)', () => {
    expect(figures(row('transport'))).toEqual({
      department: 'transport',
      name: '交通',
      assigned: 3, // A 09:05, C 11:05, D 03-03 08:05
      returned: 2, // A, C
      reassignedBeyondFirst: 0,
      bouncedCases: 1, // C
      ackDue: 2, // C, D (A was returned before its ack deadline, unacknowledged)
      ackOnTime: 2,
      ackLate: 0,
      ackMissing: 0,
      feedbackDue: 1, // D (A and C were returned before their feedback deadlines)
      feedbackOnTime: 0,
      feedbackLate: 1, // D: 21:00 > 20:05
      feedbackMissing: 0,
      overdueNow: 0,
      callbacks: sat(0, 0, 0, 1), // D 03-04; its 03-05 callback is after the period
      sortedRight: r(1, 3), // 3 − 2 − 0
      received: r(2, 2),
      feedbackOnTimeRate: r(0, 1),
      satisfaction: r(0, 0),
    });
    expect(row('transport').satisfaction.rate).toBeNull();
    expect(row('transport').returnReasons.map((x) => [x.caseNo, x.at, x.reason])).toEqual([
      ['A-001', L('03-02 09:30'), '属供热问题，非交通部门职责'],
      ['C-001', L('03-02 11:30'), '系商场消费纠纷，非交通部门职责'],
    ]);
  });

  it('市场: the third department C was passed to', () => {
    expect(figures(row('market'))).toEqual({
      department: 'market',
      name: '工商质监食药',
      assigned: 1,
      returned: 0,
      reassignedBeyondFirst: 1, // C's 3rd assignment
      bouncedCases: 1,
      ackDue: 1,
      ackOnTime: 1,
      ackLate: 0,
      ackMissing: 0,
      feedbackDue: 1,
      feedbackOnTime: 1,
      feedbackLate: 0,
      feedbackMissing: 0,
      overdueNow: 0,
      callbacks: sat(0, 0, 1, 0),
      sortedRight: r(0, 1), // 1 − 0 − 1
      received: r(1, 1),
      feedbackOnTimeRate: r(1, 1),
      satisfaction: r(0, 1),
    });
  });

  it('overall and the three measures', () => {
    expect(figures(rep.overall)).toEqual({
      department: null,
      name: '合计',
      assigned: 9,
      returned: 3,
      reassignedBeyondFirst: 1,
      bouncedCases: 1, // C, once (not once per department)
      ackDue: 8,
      ackOnTime: 5,
      ackLate: 1,
      ackMissing: 2,
      feedbackDue: 6,
      feedbackOnTime: 4,
      feedbackLate: 1,
      feedbackMissing: 1,
      overdueNow: 2,
      callbacks: sat(1, 1, 1, 1),
      sortedRight: r(5, 9), // 9 − 3 − 1
      received: r(5, 8),
      feedbackOnTimeRate: r(4, 6),
      satisfaction: r(2, 3), // (1 + 1) / (4 − 1)
    });
    expect(rep.overall.returnReasons.map((x) => x.caseNo)).toEqual(['A-001', 'C-001', 'C-001']);
    expect(rep.measures).toEqual({
      sortedRight: r(5, 9),
      received: r(5, 8),
      handledWell: { feedbackOnTime: r(4, 6), satisfaction: r(2, 3) },
    });
  });

  it('the case passed to 3 departments, with its chain', () => {
    expect(rep.bouncedCases).toEqual([
      {
        caseId: fixture.cases.c.caseId,
        caseNo: 'C-001',
        assignmentCount: 3,
        chain: [
          { department: 'transport', name: '交通', leadName: '市交通运输局值班室', at: L('03-02 11:05'), returned: true },
          { department: 'housing', name: '住建城管', leadName: '市住建局值班室', at: L('03-02 11:40'), returned: true },
          { department: 'market', name: '工商质监食药', leadName: '市市场监管局值班室', at: L('03-02 12:40'), returned: false },
        ],
      },
    ]);
  });

  it('totals: received, previous period, trend, transfers', () => {
    expect(rep.totals).toEqual({
      received: 7, // A B C I J on 03-02, D on 03-03, E on 03-04
      previousReceived: 2, // F 03-01, G 02-28
      change: 5,
      changeRate: 2.5,
      receivedByBucket: [5, 1, 1],
      transferred: 2, // J twice
      transferReturned: 1, // J, by 12345
      overdueTransfers: 1, // J's second transfer, due 03-02 20:45
    });
  });

  it('categories: volume, previous period, change and trend per day', () => {
    expect(rep.categories).toEqual([
      { category: 'housing.water', name: '城市供水', departmentName: '住建城管', volume: 2, previous: 1, change: 1, changeRate: 1, byBucket: [1, 0, 1] },
      { category: 'hrss.wages', name: '拖欠工资', departmentName: '人社', volume: 1, previous: 1, change: 0, changeRate: 0, byBucket: [1, 0, 0] },
      { category: 'housing.heating', name: '城市供暖', departmentName: '住建城管', volume: 1, previous: 0, change: 1, changeRate: null, byBucket: [1, 0, 0] },
      { category: 'market.consumer', name: '消费投诉', departmentName: '工商质监食药', volume: 1, previous: 0, change: 1, changeRate: null, byBucket: [1, 0, 0] },
      { category: 'transport.taxi-lost', name: '出租车失物', departmentName: '交通', volume: 1, previous: 0, change: 1, changeRate: null, byBucket: [0, 1, 0] },
      { category: null, name: '未分类', departmentName: null, volume: 1, previous: 0, change: 1, changeRate: null, byBucket: [1, 0, 0] },
    ]);
  });

  it('stations are passed through', () => {
    expect(rep.stations).toEqual([]);
    const withStations = report({
      stations: [
        { stationId: 'h12345-city', name: '市12345热线', pendingEvents: 3, lastSyncAt: L('03-05 11:58') },
        { stationId: 'unit-housing', name: '市住建局值班室' },
      ],
    });
    expect(withStations.stations).toEqual([
      { stationId: 'h12345-city', name: '市12345热线', pendingEvents: 3, lastSyncAt: L('03-05 11:58') },
      { stationId: 'unit-housing', name: '市住建局值班室', pendingEvents: null, lastSyncAt: null },
    ]);
  });

  it('does not depend on the order the events are given in', () => {
    expect(report({}, shuffled(fixture.events))).toEqual(rep);
  });

  it('round-trips through JSON', () => {
    expect(JSON.parse(JSON.stringify(rep))).toStrictEqual(rep);
  });
});

describe('district filter', () => {
  const fixture = history();

  it('兰山区 leaves out I (河东区)', () => {
    const rep = report({ district: '兰山区' }, fixture.events);
    const housing = rep.departments.find((d) => d.department === 'housing')!;
    expect(rep.district).toBe('兰山区');
    expect([housing.assigned, housing.ackDue, housing.ackOnTime, housing.ackLate, housing.ackMissing]).toEqual([3, 3, 0, 1, 2]);
    expect([housing.feedbackDue, housing.feedbackOnTime, housing.feedbackMissing, housing.overdueNow]).toEqual([2, 1, 1, 2]);
    expect(housing.sortedRight).toEqual(r(2, 3));
    expect(housing.received).toEqual(r(0, 3));
    expect(rep.measures).toEqual({
      sortedRight: r(4, 8),
      received: r(4, 7),
      handledWell: { feedbackOnTime: r(3, 5), satisfaction: r(2, 3) },
    });
    expect(rep.totals).toMatchObject({ received: 6, previousReceived: 2, receivedByBucket: [4, 1, 1], transferred: 2 });
    expect(rep.categories.find((c) => c.category === 'housing.water')).toMatchObject({ volume: 1, previous: 1, byBucket: [0, 0, 1] });
  });

  it('河东区 holds only I', () => {
    const rep = report({ district: '河东区' }, fixture.events);
    expect(rep.departments.map((d) => [d.name, d.assigned, d.ackOnTime, d.feedbackOnTime, d.overdueNow])).toEqual([['住建城管', 1, 1, 1, 0]]);
    expect(rep.totals).toEqual({
      received: 1,
      previousReceived: 0,
      change: 1,
      changeRate: null,
      receivedByBucket: [1, 0, 0],
      transferred: 0,
      transferReturned: 0,
      overdueTransfers: 0,
    });
    expect(rep.categories.map((c) => [c.category, c.volume, c.previous])).toEqual([['housing.water', 1, 0]]);
    expect(rep.bouncedCases).toEqual([]);
  });

  it('a district with no cases: every rate null', () => {
    const rep = report({ district: '罗庄区' }, fixture.events);
    expect(rep.departments).toEqual([]);
    expect(rep.measures).toEqual({
      sortedRight: r(0, 0),
      received: r(0, 0),
      handledWell: { feedbackOnTime: r(0, 0), satisfaction: r(0, 0) },
    });
    expect(rep.measures.sortedRight.rate).toBeNull();
  });
});

describe('events outside the period', () => {
  const fixture = history();

  it('the next day, judged at 12:00: only K, D’s second callback and E in the previous period', () => {
    const rep = report({ period: { from: L('03-05 00:00'), to: L('03-06 00:00'), granularity: 'day' } }, fixture.events);
    expect(rep.period.asOf).toBe(L('03-05 12:00'));
    expect(rep.totals).toMatchObject({ received: 1, previousReceived: 1, change: 0, changeRate: 0, receivedByBucket: [1] });
    const housing = rep.departments.find((d) => d.department === 'housing')!;
    // K: ack due 01:35 passed unacknowledged; feedback due 13:05 not yet come at 12:00
    expect([housing.assigned, housing.ackDue, housing.ackMissing, housing.feedbackDue]).toEqual([1, 1, 1, 0]);
    const transport = rep.departments.find((d) => d.department === 'transport')!;
    expect(transport.callbacks).toEqual(sat(1, 0, 0, 0));
    expect(transport.assigned).toBe(0);
    expect(rep.overall.returned).toBe(0);
  });

  it('the day before: only F and G, and none of the period’s events', () => {
    const rep = report({ period: { from: L('03-01 00:00'), to: L('03-02 00:00'), granularity: 'day' } }, fixture.events);
    expect(rep.totals.received).toBe(1); // F (G is on 02-28)
    expect(rep.totals.previousReceived).toBe(1); // G
    expect(rep.departments.map((d) => figures(d))).toEqual([
      {
        department: 'housing',
        name: '住建城管',
        assigned: 1,
        returned: 0,
        reassignedBeyondFirst: 0,
        bouncedCases: 0,
        ackDue: 1,
        ackOnTime: 1,
        ackLate: 0,
        ackMissing: 0,
        feedbackDue: 1,
        feedbackOnTime: 1,
        feedbackLate: 0,
        feedbackMissing: 0,
        overdueNow: 2, // a figure of the present (E and K), whatever the period
        callbacks: sat(1, 0, 0, 0),
        sortedRight: r(1, 1),
        received: r(1, 1),
        feedbackOnTimeRate: r(1, 1),
        satisfaction: r(1, 1),
      },
    ]);
  });
});

describe('extensions and deadlines', () => {
  function withDecision(decision: 'granted' | 'refused' | 'none') {
    const h = new History();
    const b = h.create(H, { caseNo: 'B-002', at: L('03-02 10:00'), category: 'hrss.wages' });
    b.assign(H, dept(HRSS, 'hrss'), L('03-02 10:05'), L('03-02 10:35'), L('03-03 10:05'));
    b.ack(HRSS, 'assignment', L('03-02 10:35')); // exactly at the deadline: on time
    if (decision !== 'none') {
      b.add(HRSS, 'case.extensionRequested', { reason: '需协调', until: L('03-04 10:05') }, L('03-02 16:00'));
      b.add(
        H,
        'case.extensionDecided',
        decision === 'granted' ? { granted: true, until: L('03-04 10:05'), reason: '' } : { granted: false, until: null, reason: '理由不足' },
        L('03-02 17:00'),
      );
    }
    b.feedback(HRSS, L('03-04 09:00'));
    return report({}, h.events()).departments[0]!;
  }

  it('granted: the feedback on 03-04 09:00 is on time (due 03-04 10:05)', () => {
    const d = withDecision('granted');
    expect([d.ackDue, d.ackOnTime, d.feedbackDue, d.feedbackOnTime, d.feedbackLate]).toEqual([1, 1, 1, 1, 0]);
  });

  it('refused, or never asked: the same feedback is late (due 03-03 10:05)', () => {
    for (const decision of ['refused', 'none'] as const) {
      const d = withDecision(decision);
      expect([d.ackDue, d.ackOnTime, d.feedbackDue, d.feedbackOnTime, d.feedbackLate]).toEqual([1, 1, 1, 0, 1]);
    }
  });
});

describe('periods and buckets', () => {
  it('refuses an empty period', () => {
    expect(() => report({ period: { from: L('03-02 00:00'), to: L('03-02 00:00'), granularity: 'day' } })).toThrow(RangeError);
  });

  it('weeks run Monday to Sunday (local), clipped to the period', () => {
    // 03-04 is a Wednesday
    expect(periodBuckets(Date.parse(L('03-04 00:00')), Date.parse(L('03-20 00:00')), 'week', 480)).toEqual([
      { key: '2026-03-02', label: '2026-03-04～2026-03-08', start: L('03-04 00:00'), end: L('03-09 00:00') },
      { key: '2026-03-09', label: '2026-03-09～2026-03-15', start: L('03-09 00:00'), end: L('03-16 00:00') },
      { key: '2026-03-16', label: '2026-03-16～2026-03-19', start: L('03-16 00:00'), end: L('03-20 00:00') },
    ]);
  });

  it('months are calendar months (local)', () => {
    expect(periodBuckets(Date.parse(L('01-15 00:00')), Date.parse(L('03-10 00:00')), 'month', 480)).toEqual([
      { key: '2026-01', label: '2026-01', start: L('01-15 00:00'), end: L('02-01 00:00') },
      { key: '2026-02', label: '2026-02', start: L('02-01 00:00'), end: L('03-01 00:00') },
      { key: '2026-03', label: '2026-03', start: L('03-01 00:00'), end: L('03-10 00:00') },
    ]);
  });

  it('a weekly report puts the 3 days in one bucket', () => {
    const rep = report({ period: { ...PERIOD, granularity: 'week' } });
    expect(rep.buckets.map((b) => b.label)).toEqual(['2026-03-02～2026-03-04']);
    expect(rep.totals.receivedByBucket).toEqual([7]);
  });
});

describe('properties', () => {
  const events = history().events;
  const base = report({}, events);

  it('the report is the same for any order of the events', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }), (order) => {
        expect(report({}, order)).toEqual(base);
      }),
      { numRuns: 25 },
    );
  });

  it('for any subset of the events: outcomes add up and rates stay within [0, 1]', () => {
    fc.assert(
      fc.property(fc.subarray(events), (some) => {
        const rep = report({}, some);
        for (const d of [...rep.departments, rep.overall]) {
          expect(d.ackOnTime + d.ackLate + d.ackMissing).toBe(d.ackDue);
          expect(d.feedbackOnTime + d.feedbackLate + d.feedbackMissing).toBe(d.feedbackDue);
          expect(d.callbacks.satisfied + d.callbacks.basicallySatisfied + d.callbacks.unsatisfied + d.callbacks.unreachable).toBe(d.callbacks.total);
          for (const ratioOf of [d.sortedRight, d.received, d.feedbackOnTimeRate, d.satisfaction]) {
            if (ratioOf.denominator === 0) expect(ratioOf.rate).toBeNull();
            else expect(ratioOf.rate).toBeGreaterThanOrEqual(0);
            if (ratioOf.rate !== null) expect(ratioOf.rate).toBeLessThanOrEqual(1);
          }
        }
        const sum = (f: (d: DepartmentFigures) => number) => rep.departments.reduce((n, d) => n + f(d), 0);
        expect(sum((d) => d.assigned)).toBe(rep.overall.assigned);
        expect(sum((d) => d.ackDue)).toBe(rep.overall.ackDue);
        expect(sum((d) => d.feedbackDue)).toBe(rep.overall.feedbackDue);
        expect(sum((d) => d.callbacks.total)).toBe(rep.overall.callbacks.total);
        expect(rep.totals.receivedByBucket.reduce((a, b) => a + b, 0)).toBe(rep.totals.received);
      }),
      { numRuns: 60 },
    );
  });
});

describe('county mode: 110 notifies a linked unit directly', () => {
  it("the unit's acknowledgement, feedback and return count in its department's measures, like an assignment's", () => {
    const c = new CaseScript(Date.parse('2026-03-03T09:00:00+08:00'));
    const TO_HOUSING_UNIT = { kind: 'unit' as const, stationId: null, name: '兰山区住建局值班室', department: 'housing' };
    c.add(P110D, 'case.created', createdPayload(P110D, 'police110', { receivedAt: c.t(0), caseNo: 'CTY-1' }), 0);
    c.add(P110D, 'case.screened', { verdict: 'nonPolice', reason: '' }, 1);
    c.add(P110D, 'case.transferred', { to: TO_HOUSING_UNIT, threeWayCall: false, note: '', ackDueBy: c.t(31), feedbackDueBy: c.t(40) }, 2);
    c.add(COUNTY_UNIT, 'case.acknowledged', { of: 'transfer', station: COUNTY_UNIT }, 50); // 19 minutes late
    const period = { from: c.t(-60), to: c.t(600), granularity: 'day' as const };
    const r = buildSupervisionReport({ events: c.events, period, district: null, catalogue, now: c.t(600) });
    const housing = r.departments.find((d) => d.department === 'housing')!;
    expect(housing).toMatchObject({ assigned: 1, ackDue: 1, ackOnTime: 0, feedbackDue: 1, feedbackMissing: 1, overdueNow: 1 });

    c.add(COUNTY_UNIT, 'case.returned', { reason: '不属本单位职责', station: COUNTY_UNIT }, 60);
    const after = buildSupervisionReport({ events: c.events, period, district: null, catalogue, now: c.t(600) });
    expect(after.departments.find((d) => d.department === 'housing')).toMatchObject({ assigned: 1, returned: 1 });
    expect(after.totals.transferReturned).toBe(0); // a department's return, not a 12345 one
  });
});

/**
 * The in-memory search alone (`npm run bench:search-memory`): builds the index of
 * src-renderer/src/store/memory-search.ts from N demo cases (the same generator the store bench
 * fills with) in Node's V8, and prints the time to build it, the heap it holds and the time of a
 * search page's proposal for a few queries. The browser's figures (fill from IndexedDB, whole
 * search pages with their rows read) are in `npm run bench:store`.
 *
 *   node --expose-gc --import tsx scripts/bench-search-memory.ts [--cases 100000]
 */
import { generateDemoCommands } from '../src-common/demo/demo-cases';
import { caseSearchTerms, StationSchema, type PayloadOf } from '../src-common/domain';
import { MemorySearchIndex, type SearchableCase } from '../src-renderer/src/store/memory-search';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc (npm run bench:search-memory does)');
const at = process.argv.indexOf('--cases');
const count = at > 0 ? Number(process.argv[at + 1]) : 100_000;
if (!Number.isInteger(count) || count <= 0) throw new Error('--cases needs a whole number');

function heap(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed;
}

const station = StationSchema.parse({ stationId: 'p110-bench1', name: '兰山公安分局 110 接警台', role: 'police110', district: '兰山区', operator: '基准测试' });
const base = heap();
let rows: SearchableCase[] = [];
{
  const t0 = Date.parse('2026-09-01T00:00:00.000Z');
  for (const group of generateDemoCommands(station, { count, seed: 1, days: 90 })) {
    for (const command of group.commands) {
      if (command.type !== 'case.created') continue;
      const p = command.payload as PayloadOf<'case.created'>;
      const n = rows.length;
      const caseNo = `20260901-p110-bench1-${String(n).padStart(6, '0')}`;
      rows.push({
        id: `01K${String(n).padStart(23, '0')}`,
        status: n % 5 === 0 ? 'closed' : 'transferred',
        urgency: p.urgency,
        nature: p.nature,
        category: p.category ?? null,
        ownerId: station.stationId,
        receivedAt: new Date(t0 + n * 60_000).toISOString(),
        updatedAt: new Date(t0 + n * 61_000).toISOString(),
        dueKey: n % 3 === 0 ? '9999-12-31T23:59:59.999Z' : new Date(t0 + n * 62_000).toISOString(),
        terms: caseSearchTerms({ caseNo, caller: p.caller, location: p.location, description: p.description }),
      });
    }
  }
}
const postings = rows.reduce((sum, r) => sum + r.terms.length, 0);
const t0 = performance.now();
const index = new MemorySearchIndex();
for (const row of rows) index.put(row);
const buildMs = performance.now() - t0;
rows = [];
const held = heap() - base;
console.log(`${index.size} cases, ${postings} postings (${(postings / index.size).toFixed(1)} a case), ${index.termCount} distinct terms`);
console.log(`built in ${buildMs.toFixed(0)} ms; heap held by the index: ${(held / 1048576).toFixed(1)} MB`);
const queries: Array<[string, Parameters<MemorySearchIndex['query']>[0]]> = [
  ['"停水"', { search: '停水' }],
  ['"暖气", open + urgent', { search: '暖气', statuses: ['transferred'], urgency: 'urgent' }],
  ['"停水 兰山" (two words)', { search: '停水 兰山' }],
  ['"水" (prefix)', { search: '水' }],
  ['"1" (prefix: every phone)', { search: '1' }],
  // the filters no case index serves (list-query.ts answeredFromMemory): every case looked at
  ['urgency=urgent (no search)', { urgency: 'urgent' }],
  ['nature=complaint, open (no search)', { nature: 'complaint', statuses: ['transferred'] }],
  ['owner (every case, no search)', { ownerId: station.stationId }],
];
for (const [name, filter] of queries) {
  const times: number[] = [];
  let found = 0;
  for (let i = 0; i < 60; i++) {
    const s = performance.now();
    found = index.query(filter, { key: 'updatedAt', dir: 'desc' }, 51).length;
    times.push(performance.now() - s);
  }
  times.sort((a, b) => a - b);
  console.log(`proposal ${name}: median ${times[30]!.toFixed(2)} ms, p95 ${times[57]!.toFixed(2)} ms (${found} ids)`);
}

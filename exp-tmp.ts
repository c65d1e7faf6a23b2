import pg from 'pg';
import { readFileSync } from 'node:fs';
const src = readFileSync('src-hub/sync/batch-context.ts', 'utf8');
const CONTEXT_SQL = src.match(/const CONTEXT_SQL = `([\s\S]*?)`;/)![1]!;
const schema = process.argv[2]!;
const c = new pg.Client({ connectionString: 'postgres://relay:relay@127.0.0.1:5432/relay_bench', options: `-c search_path=${schema} -c random_page_cost=1.1` });
await c.connect();
const ids = Array.from({ length: 500 }, (_, i) => `01ZZZZZZZZZZZZZZZZZZZ${String(i).padStart(5, '0')}`);
const seqs = Array.from({ length: 500 }, (_, i) => 3001 + i);
const cases = ids.filter((_, i) => i % 3 === 0);
const params = ['p110-ingest-05', ids, seqs, cases];
async function run(label: string, n: number, name: string) {
  const t = performance.now();
  for (let i = 0; i < n; i++) await c.query({ name, text: CONTEXT_SQL, values: params });
  console.log(label, ((performance.now() - t) / n).toFixed(2), 'ms/call (client round trip)');
}
await run('default mode', 40, 'ctx1');
await c.query('SET plan_cache_mode = force_generic_plan');
await run('generic', 40, 'ctx2');
await c.query('SET plan_cache_mode = force_custom_plan');
await run('custom', 40, 'ctx3');
await c.query('RESET plan_cache_mode');
await c.query(`PREPARE p4 (text, text[], bigint[], text[]) AS ${CONTEXT_SQL.replaceAll('$1::', '$1::')}`);
await c.query('SET plan_cache_mode = force_generic_plan');
const lit = (a: unknown[]) => `'{${a.join(',')}}'`;
for (let i = 0; i < 6; i++) await c.query(`EXECUTE p4('p110-ingest-05', ${lit(ids)}, ${lit(seqs)}, ${lit(cases)})`);
const r = await c.query(`EXPLAIN (ANALYZE, BUFFERS) EXECUTE p4('p110-ingest-05', ${lit(ids)}, ${lit(seqs)}, ${lit(cases)})`);
console.log(r.rows.map((x) => x['QUERY PLAN']).filter((l: string) => /actual|Planning|Execution|Filter|Cond/.test(l)).map((l: string) => l.slice(0, 140)).join('\n'));
await c.end();

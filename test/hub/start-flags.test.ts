/**
 * `npm run hub` starts Node with a larger young generation (README: Running the hub), and the
 * sync benchmark, whose process hosts the hub, runs with the same flag: checked in package.json,
 * and that tsx hands the flag on to V8 (the young generation then grows past its default).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

/** the V8 flags a script gives tsx before its file */
function v8Flags(script: string, file: string): string[] {
  const m = new RegExp(`tsx((?: --[\\w-]+=\\S+)*) ${file.replaceAll('.', '\\.')}`).exec(script);
  if (!m) throw new Error(`no "tsx … ${file}" in: ${script}`);
  return m[1]!.trim().split(/\s+/).filter(Boolean);
}

/** the largest the young generation grows while a loop allocates short-lived objects, in MB */
function largestYoungGeneration(flags: string[]): number {
  const program = `
    const v8 = require('node:v8');
    let keep = [], max = 0;
    for (let i = 0; i < 2e6; i++) {
      keep.push({ a: i, b: 'x' + i });
      if (keep.length > 50000) keep = [];
      if (i % 10000 === 0) max = Math.max(max, v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size);
    }
    console.log(max / 1048576);`;
  return Number(execFileSync(TSX, [...flags, '-e', program], { encoding: 'utf8', cwd: ROOT }).trim());
}

describe('the hub’s start flags', () => {
  it('npm run hub and npm run bench:sync start Node with the same larger young generation', () => {
    const hub = v8Flags(scripts.hub!, 'src-hub/main.ts');
    expect(hub).toContain('--max-semi-space-size=32');
    expect(v8Flags(scripts['bench:sync']!, 'scripts/bench-sync.ts')).toEqual(hub);
  });

  it('tsx hands the flag on: the young generation grows to its two 32 MB halves, past what it reaches without it', () => {
    const plain = largestYoungGeneration([]);
    const larger = largestYoungGeneration(v8Flags(scripts.hub!, 'src-hub/main.ts'));
    expect(plain).toBeGreaterThan(0);
    expect(larger).toBe(64);
    expect(plain).toBeLessThan(larger);
  }, 30_000);
});

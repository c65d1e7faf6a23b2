/**
 * The power-cut journal itself (unflushed-writes.c, power-cut.ts), on small files written by a
 * Node child with the library preloaded: what it takes back must be exactly what no flush
 * covered, so the power-cut tests built on it can be trusted.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildUnflushedWrites, cutUnflushed, flushesByFile, journalEnv, readJournal, seededRandom } from './power-cut';

let work: string;
let library: string;
let n = 0;
beforeAll(() => {
  work = realpathSync(mkdtempSync(join(tmpdir(), 'relay-journal-')));
  library = buildUnflushedWrites(join(work, 'library'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Run `script` (a Node program; `dir` is its folder) with the journal on that folder. */
function journalled(script: string): { dir: string; journal: string } {
  const dir = join(work, `case-${++n}`);
  mkdirSync(dir);
  const journal = join(work, `case-${n}.journal`);
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', `const dir = ${JSON.stringify(dir)};\n${script}`], {
    env: { ...process.env, ...journalEnv(library, dir, journal) },
    encoding: 'utf8',
  });
  expect(run.status, run.stderr).toBe(0);
  return { dir, journal };
}

const PRELUDE = `import { openSync, writeSync, fsyncSync, fdatasyncSync, ftruncateSync, closeSync, appendFileSync } from 'node:fs';\n`;

describe('the power-cut journal', () => {
  it('takes back exactly the writes no flush covered: overwrites, appends, truncations, in-place and at the end', () => {
    const { dir, journal } = journalled(
      PRELUDE +
        `const fd = openSync(dir + '/data', 'w+');
         writeSync(fd, 'abcdefghij');           // 0..10
         fsyncSync(fd);                          // on disk: abcdefghij
         writeSync(fd, 'XY', 0, 'utf8');         // pwrite at 0
         writeSync(fd, 'klm');                   // at the position: 10..13
         ftruncateSync(fd, 4);
         writeSync(fd, 'Q', 8, 'utf8');          // a hole, then Q
         closeSync(fd);
         const other = openSync(dir + '/other', 'w');
         writeSync(other, 'kept');
         fdatasyncSync(other);
         closeSync(other);`,
    );
    expect(readFileSync(join(dir, 'data'), 'latin1')).toBe('XYcd\0\0\0\0Q');
    const cuts = cutUnflushed(journal);
    expect(readFileSync(join(dir, 'data'), 'utf8')).toBe('abcdefghij');
    expect(readFileSync(join(dir, 'other'), 'utf8')).toBe('kept');
    expect(cuts).toEqual([{ file: join(dir, 'data'), unflushed: 4, undone: 4, sizeBefore: 9, sizeAfter: 10 }]);
    expect(flushesByFile(journal)).toEqual(
      new Map([
        [join(dir, 'data'), 1],
        [join(dir, 'other'), 1],
      ]),
    );
  });

  it('journals appends at the end of the file, and files made and never flushed go back to nothing', () => {
    const { dir, journal } = journalled(
      PRELUDE +
        `appendFileSync(dir + '/log', 'one;');
         const fd = openSync(dir + '/log', 'a');
         fsyncSync(fd);
         writeSync(fd, 'two;');
         closeSync(fd);
         appendFileSync(dir + '/new', 'never flushed');`,
    );
    cutUnflushed(journal);
    expect(readFileSync(join(dir, 'log'), 'utf8')).toBe('one;');
    expect(readFileSync(join(dir, 'new'), 'utf8')).toBe('');
  });

  it('torn: keeps an in-order part of the unflushed writes, the last kept one perhaps in part; a truncation whole or not at all', () => {
    const script =
      PRELUDE +
      `const fd = openSync(dir + '/data', 'w+');
       writeSync(fd, 'abcdefghij');
       fsyncSync(fd);
       ftruncateSync(fd, 4);
       writeSync(fd, 'WXYZ', 4, 'utf8');
       writeSync(fd, '1234', 8, 'utf8');
       closeSync(fd);`;
    const seen = new Set<string>();
    for (let seed = 1; seed <= 40; seed++) {
      const { dir, journal } = journalled(script);
      cutUnflushed(journal, { torn: true, random: seededRandom(seed) });
      const after = readFileSync(join(dir, 'data'), 'latin1');
      seen.add(after);
      // every state a disk could be left in: a prefix of the writes, in order, the last cut anywhere
      const possible = /^abcdefghij$|^abcd$|^abcdW?X?Y?Z?$|^abcdWXYZ1?2?3?4?$/.test(after);
      expect(possible, `seed ${seed}: ${JSON.stringify(after)}`).toBe(true);
      // flushed bytes are never lost or zeroed
      expect(after.startsWith('abcd'), `seed ${seed}`).toBe(true);
    }
    expect(seen.size, 'different seeds leave different states').toBeGreaterThan(3);
  });

  it('a last record cut short by the kill is left out; a file renamed over is reported, not written', () => {
    const { dir, journal } = journalled(
      PRELUDE +
        `const fd = openSync(dir + '/data', 'w+');
         writeSync(fd, 'flushed');
         fsyncSync(fd);
         writeSync(fd, '+more');
         closeSync(fd);`,
    );
    const whole = readJournal(journal).length;
    const bytes = readFileSync(journal);
    writeFileSync(journal, bytes.subarray(0, bytes.length - 3));
    expect(readJournal(journal)).toHaveLength(whole - 1);
    // put the journal back, and put another file where the written one was
    writeFileSync(journal, bytes);
    writeFileSync(join(dir, 'data.new'), 'another file');
    renameSync(join(dir, 'data.new'), join(dir, 'data'));
    expect(cutUnflushed(journal)).toEqual([expect.objectContaining({ undone: 0, skipped: 'replaced' })]);
    expect(readFileSync(join(dir, 'data'), 'utf8')).toBe('another file');
    truncateSync(journal, 0);
    expect(cutUnflushed(journal)).toEqual([]);
  });

  it('refuses a folder named otherwise than its canonical path (it would journal nothing)', () => {
    const dir = join(work, 'refused');
    mkdirSync(dir);
    const run = spawnSync(process.execPath, ['-e', `require('node:fs').writeFileSync(${JSON.stringify(join(dir, 'x'))}, 'y')`], {
      env: { ...process.env, ...journalEnv(library, `${dir}/`, join(work, 'refused.journal')) },
      encoding: 'utf8',
    });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('UNFLUSHED_DIR must be a canonical path');
  });
});

import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  checkCatalogueText,
  diffCatalogue,
  formatCatalogue,
  recompute,
  toInitials,
  toPinyin,
} from '../../scripts/catalogue-pinyin.mjs';

const catalogueFile = fileURLToPath(new URL('../../resources/catalogue.json', import.meta.url));
const scriptFile = fileURLToPath(new URL('../../scripts/build-catalogue-pinyin.mjs', import.meta.url));
const text = readFileSync(catalogueFile, 'utf8');

describe('catalogue pinyin (pinyin-pro at build time)', () => {
  it('reads polyphonic characters right in context', () => {
    expect(toInitials('城市供水')).toBe('csgs');
    expect(toPinyin('城市供水')).toBe('chengshigongshui');
    expect(toPinyin('市长')).toBe('shizhang');
    expect(toPinyin('行动不便')).toBe('xingdongbubian');
    expect(toPinyin('旅游')).toBe('lvyou');
    expect(toPinyin('生活无着')).toBe('shenghuowuzhuo');
    expect(toInitials('窨井')).toBe('yj');
    expect(toPinyin('缺斤少两')).toBe('quejinshaoliang');
    expect(toInitials('120')).toBe('120');
  });

  it('shipped resources/catalogue.json is in sync with pinyin-pro', () => {
    const current: unknown = JSON.parse(text);
    expect(diffCatalogue(current, recompute(current))).toEqual([]);
    expect(formatCatalogue(recompute(current))).toBe(text);
    expect(checkCatalogueText(text)).toEqual([]);
  });

  it('reports a stale field by path', () => {
    const stale = JSON.parse(text) as { departments: Array<{ categories: Array<{ initials: string }> }> };
    stale.departments[2]!.categories[0]!.initials = 'xxxx';
    const mismatches = checkCatalogueText(formatCatalogue(stale));
    expect(mismatches).toEqual(['departments[2].categories[0].initials: "xxxx" should be "csgs"']);
  });

  it('recompute does not modify its argument', () => {
    const current = JSON.parse(text) as { departments: Array<{ initials: string }> };
    current.departments[0]!.initials = 'zz';
    recompute(current);
    expect(current.departments[0]!.initials).toBe('zz');
  });

  it('the CLI --check exits 0 on the shipped file', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [scriptFile, '--check']);
    expect(stdout).toContain('in sync');
  });
});

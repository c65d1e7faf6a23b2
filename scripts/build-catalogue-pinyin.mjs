#!/usr/bin/env node
// Recompute the pinyin fields of resources/catalogue.json with pinyin-pro.
//
//   node scripts/build-catalogue-pinyin.mjs           rewrite the file (2-space JSON)
//   node scripts/build-catalogue-pinyin.mjs --check   exit 1 listing mismatches, write nothing
//   node scripts/build-catalogue-pinyin.mjs --list    print every word with its initials and
//                                                     pinyin, to check polyphonic characters by eye
//   [--file path]                                     another catalogue file
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkCatalogueText, formatCatalogue, recompute } from './catalogue-pinyin.mjs';

const args = process.argv.slice(2);
const fileIndex = args.indexOf('--file');
const file = fileIndex >= 0 && args[fileIndex + 1]
  ? resolve(args[fileIndex + 1])
  : fileURLToPath(new URL('../resources/catalogue.json', import.meta.url));

const text = readFileSync(file, 'utf8');

if (args.includes('--check')) {
  const mismatches = checkCatalogueText(text);
  if (mismatches.length > 0) {
    console.error(`${file}: ${mismatches.length} pinyin field(s) out of sync with pinyin-pro:`);
    for (const line of mismatches) console.error(`  ${line}`);
    console.error('Run: node scripts/build-catalogue-pinyin.mjs');
    process.exit(1);
  }
  console.log(`${file}: pinyin fields in sync`);
} else {
  const next = recompute(JSON.parse(text));
  if (args.includes('--list')) {
    for (const d of next.departments) {
      console.log(`${d.code}\t${d.short}\t${d.initials}\t${d.pinyin}`);
      for (const c of d.categories) {
        console.log(`  ${c.code}\t${c.name}\t${c.initials}\t${c.pinyin}`);
        c.aliases.forEach((a, i) => console.log(`    alias\t${a}\t${c.aliasInitials[i]}\t${c.aliasPinyin[i]}`));
        c.keywords.forEach((k, i) => console.log(`    kw\t${k}\t${c.keywordInitials[i]}\t${c.keywordPinyin[i]}`));
      }
    }
  } else {
    const out = formatCatalogue(next);
    if (out === text) {
      console.log(`${file}: already in sync`);
    } else {
      writeFileSync(file, out);
      console.log(`${file}: pinyin fields rewritten`);
    }
  }
}

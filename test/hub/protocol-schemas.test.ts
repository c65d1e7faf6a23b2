/** docs/schemas/*.json are generated from the zod schemas: they must be up to date. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { protocolSchemaFiles, SCHEMA_DIR, staleSchemaFiles } from '../../scripts/protocol-schemas';

describe('protocol JSON Schemas', () => {
  it('the committed files match the zod schemas (else run: npm run hub:schemas)', () => {
    expect(staleSchemaFiles()).toEqual([]);
  });

  it('are JSON Schema 2020-12 documents with a title', () => {
    for (const file of protocolSchemaFiles().keys()) {
      const doc = JSON.parse(readFileSync(join(SCHEMA_DIR, file), 'utf8')) as Record<string, unknown>;
      expect(doc.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(typeof doc.title).toBe('string');
    }
  });

  it('the event schema names every event type', () => {
    const text = readFileSync(join(SCHEMA_DIR, 'event.json'), 'utf8');
    for (const t of ['case.created', 'case.transferred', 'case.assigned', 'shift.handover']) expect(text).toContain(`"${t}"`);
  });
});

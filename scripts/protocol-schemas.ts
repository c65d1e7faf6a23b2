/**
 * JSON Schemas of the station ⇄ hub protocol, generated from the zod schemas both ends use
 * (src-common/protocol/v1.ts, and the event envelope in src-common/domain/events.ts), for
 * other systems implementing either end (docs/protocol.md).
 *
 *   npx tsx scripts/protocol-schemas.ts           write docs/schemas/*.json
 *   npx tsx scripts/protocol-schemas.ts --check   exit 1 if the files are out of date
 *
 * test/hub/protocol-schemas.test.ts fails when the committed files are out of date.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import { EventSchema } from '../src-common/domain/events';
import {
  CalendarResponseSchema,
  ErrorBodySchema,
  HealthSchema,
  PROTOCOL_VERSION,
  PullResponseSchema,
  PushRequestSchema,
  PushResponseSchema,
  StationInfoSchema,
} from '../src-common/protocol/v1';

export const SCHEMA_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'schemas');

/** What a sender writes is the schema's input (defaults may be left out); what a receiver gets is its output. */
const SCHEMAS: Array<{ file: string; title: string; schema: z.ZodType; io: 'input' | 'output' }> = [
  { file: 'event.json', title: 'Relay Desk event (envelope v1 and every event type), as a station sends it', schema: EventSchema, io: 'input' },
  { file: 'push-request.json', title: `POST /api/v1/events request body (protocol ${PROTOCOL_VERSION})`, schema: PushRequestSchema, io: 'input' },
  { file: 'push-response.json', title: 'POST /api/v1/events response body (200)', schema: PushResponseSchema, io: 'output' },
  { file: 'pull-response.json', title: 'GET /api/v1/events response body (200)', schema: PullResponseSchema, io: 'output' },
  { file: 'health.json', title: 'GET /api/v1/health response body (200)', schema: HealthSchema, io: 'output' },
  { file: 'calendar-response.json', title: 'GET /api/v1/calendar response body (200): working-day calendar years loaded at the hub', schema: CalendarResponseSchema, io: 'output' },
  { file: 'station-info.json', title: 'GET /api/v1/stations/me response body (200)', schema: StationInfoSchema, io: 'output' },
  { file: 'error-body.json', title: 'Every 4xx / 5xx response body', schema: ErrorBodySchema, io: 'output' },
];

export function protocolSchemaFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const s of SCHEMAS) {
    const json = z.toJSONSchema(s.schema, { io: s.io, unrepresentable: 'any', target: 'draft-2020-12' });
    const doc = { title: s.title, ...json };
    files.set(s.file, `${JSON.stringify(doc, null, 2)}\n`);
  }
  return files;
}

/** Files whose committed text differs from what the schemas give now. */
export function staleSchemaFiles(dir: string = SCHEMA_DIR): string[] {
  const stale: string[] = [];
  for (const [file, text] of protocolSchemaFiles()) {
    let current: string | null = null;
    try {
      current = readFileSync(join(dir, file), 'utf8');
    } catch {
      current = null;
    }
    if (current !== text) stale.push(file);
  }
  return stale;
}

function main(): void {
  if (process.argv.includes('--check')) {
    const stale = staleSchemaFiles();
    if (stale.length > 0) {
      console.error(`docs/schemas out of date: ${stale.join(', ')}; run npm run hub:schemas`);
      process.exit(1);
    }
    console.log('docs/schemas up to date');
    return;
  }
  mkdirSync(SCHEMA_DIR, { recursive: true });
  for (const [file, text] of protocolSchemaFiles()) writeFileSync(join(SCHEMA_DIR, file), text);
  console.log(`wrote ${[...protocolSchemaFiles().keys()].map((f) => `docs/schemas/${f}`).join(', ')}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();

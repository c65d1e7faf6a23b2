/**
 * Reading pushes in worker threads (src-hub/sync/validator.ts, push-body.ts) gives exactly
 * what reading them on the hub's thread gives, events and refusals of whole bodies alike; a
 * worker that fails leaves reading inline, with the same answers, and says so.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { configFromEnv } from '../../src-hub/config';
import { classify, MAX_EVENT_DEPTH, releaseEvents } from '../../src-hub/sync/classify';
import { HubError } from '../../src-hub/errors';
import { inlineValidator, workerValidator, type ReadPush, type Validator } from '../../src-hub/sync/validator';
import { Desk, toHotline } from './helpers/desk';

function mixedBatch(): unknown[] {
  const d = Desk.of('v-p110', 'police110');
  const events: unknown[] = [];
  for (let i = 0; i < 30; i++) {
    const c = d.created(`第 ${i} 起：小区停水`);
    events.push(c, d.screened(c.caseId), d.transferred(c.caseId, toHotline()));
  }
  let deep: Record<string, unknown> = {};
  const root = deep;
  for (let i = 0; i < MAX_EVENT_DEPTH + 2; i++) deep = deep.x = {};
  events.splice(5, 0, 'not an event', null, { ...(events[0] as object), v: 2 }, { ...(events[0] as object), type: 'case.teleported' });
  events.splice(40, 0, { ...(events[1] as object), payload: { verdict: 'maybe' } }, root, { ...(events[2] as object), seq: -1 });
  return events;
}

function bodyOf(events: unknown[], extra: Record<string, unknown> = {}): Buffer {
  return Buffer.from(JSON.stringify({ protocol: 1, events, ...extra }));
}

/** What reading a body gives: the push read, or the whole body's refusal. */
async function outcome(validator: Validator, body: Uint8Array | string): Promise<ReadPush | { refused: [number, string, string] }> {
  try {
    return await validator.readPush(body);
  } catch (e) {
    if (e instanceof HubError) return { refused: [e.statusCode, e.code, e.message] };
    throw e;
  }
}

describe('an event nested too deep', () => {
  /** an event-like object `levels` deep (itself the first level), nesting objects or arrays */
  const nested = (levels: number, inArrays: boolean): unknown => {
    let v: unknown = {};
    for (let i = 2; i < levels; i++) v = inArrays ? [v] : { x: v };
    return { type: 'case.noteAdded', payload: v };
  };

  it(`is refused for its depth from ${MAX_EVENT_DEPTH + 1} levels on, objects and arrays alike`, () => {
    for (const inArrays of [false, true]) {
      const atLimit = classify(nested(MAX_EVENT_DEPTH, inArrays), 0);
      const over = classify(nested(MAX_EVENT_DEPTH + 1, inArrays), 0);
      expect(atLimit.kind === 'invalid' ? atLimit.reason : '').not.toContain('嵌套过深');
      expect(over).toMatchObject({ kind: 'invalid', code: 'invalid_event', reason: expect.stringContaining('嵌套过深') });
    }
    // far deeper than the stack would allow to walk whole: refused, no stack overflow
    expect(classify(nested(200_000, false), 0)).toMatchObject({ kind: 'invalid', reason: expect.stringContaining('嵌套过深') });
  });
});

/** A read push with every item as plain data (a worker's items parse their events on demand). */
function plain(read: ReadPush) {
  return {
    ...read,
    items: read.items.map((i) => (i.kind === 'valid' ? { index: i.index, kind: i.kind, event: i.event, content: i.content, key: i.key } : i)),
  };
}

describe('reading pushes in worker threads', () => {
  const pools: Validator[] = [];
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.close()));
  });

  it('gives the same verdicts, events, canonical content and refusals as reading inline', async () => {
    const pool = workerValidator(2);
    pools.push(pool);
    const batch = mixedBatch();
    const basis = { [(batch[0] as { id: string }).id]: '0' };
    const read = await inlineValidator.readPush(bodyOf(batch, { basis }));
    const inline = read.items;
    const [a, b] = await Promise.all([pool.readPush(bodyOf(batch, { basis })), pool.readPush(bodyOf(batch.slice(3)))]);
    expect(plain(a)).toEqual(plain(read));
    expect(plain(b)).toEqual(plain(await inlineValidator.readPush(bodyOf(batch.slice(3)))));
    // a worker's valid items parse their event when first asked, and again after releaseEvents
    const first = a.items.find((i) => i.kind === 'valid')!;
    const event = first.kind === 'valid' ? first.event : null;
    expect(first.kind === 'valid' && first.event).toBe(event);
    releaseEvents(a.items);
    const again = first.kind === 'valid' ? first.event : null;
    expect(again).not.toBe(event);
    expect(again).toEqual(event);
    expect(first.kind === 'valid' && first.key).toEqual({ id: event!.id, seq: event!.seq, caseId: event!.caseId });
    expect(read.basis).toEqual(new Map([[(batch[0] as { id: string }).id, { pos: 0, hubSeq: 0 }]]));
    expect(read.firstEventId).toBe((batch[0] as { id: string }).id);
    // a refused event keeps what it claimed and its text as sent
    const refusedOne = inline.find((i) => i.kind === 'invalid' && i.code === 'unsupported_version');
    expect(refusedOne).toMatchObject({ claimedStation: 'v-p110', seq: expect.any(Number) });
    expect(JSON.parse((refusedOne as { content: string }).content)).toMatchObject({ v: 2 });
    expect(inline.filter((i) => i.kind === 'invalid').map((i) => (i.kind === 'invalid' ? i.code : ''))).toEqual([
      'invalid_event',
      'invalid_event',
      'unsupported_version',
      'unknown_event_type',
      'invalid_event',
      'invalid_event',
      'invalid_event',
    ]);
    expect(inline.filter((i) => i.kind === 'valid')).toHaveLength(90);
  });

  it('refuses a body whole as reading inline does: empty, not JSON, poisoned, of the wrong shape', async () => {
    const pool = workerValidator(1);
    pools.push(pool);
    const padding = 'x'.repeat(9000); // above the size read inline without asking a worker
    const bodies: Array<[string, number, string]> = [
      ['', 400, 'malformed_json'],
      [`{"protocol":1,"events":[{"id":"${padding}"`, 400, 'malformed_json'],
      [`{"protocol":1,"pad":"${padding}","events":[{"__proto__":{"polluted":true}}]}`, 400, 'malformed_json'],
      [`{"protocol":1,"pad":"${padding}","events":[{"constructor":{"prototype":{"polluted":true}}}]}`, 400, 'malformed_json'],
      [`{"protocol":2,"pad":"${padding}","events":[{}]}`, 400, 'unsupported_protocol'],
      [`{"protocol":1,"pad":"${padding}","events":{}}`, 400, 'invalid_request'],
      [`[{"pad":"${padding}"}]`, 400, 'invalid_request'],
    ];
    for (const [text, status, code] of bodies) {
      const inline = await outcome(inlineValidator, Buffer.from(text));
      expect(inline, text.slice(0, 40)).toMatchObject({ refused: [status, code, expect.any(String)] });
      expect(await outcome(pool, Buffer.from(text)), text.slice(0, 40)).toEqual(inline);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // a byte-order mark is dropped, as Fastify's parser drops it
    const batch = mixedBatch().slice(0, 60);
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bodyOf(batch)]);
    expect(plain(await pool.readPush(withBom))).toEqual(plain(await inlineValidator.readPush(bodyOf(batch))));
  });

  it('falls back to validating inline when a worker cannot run, and reports it', async () => {
    const errors: Error[] = [];
    const pool = workerValidator(1, (e) => errors.push(e), new URL('./fixtures/broken-worker.mjs', import.meta.url));
    pools.push(pool);
    const batch = mixedBatch();
    expect(plain(await pool.readPush(bodyOf(batch)))).toEqual(plain(await inlineValidator.readPush(bodyOf(batch))));
    // once the worker is known broken, later batches go inline at once
    await new Promise((r) => setTimeout(r, 50));
    expect(errors.length).toBeGreaterThan(0);
    expect(plain(await pool.readPush(bodyOf(batch.slice(0, 30))))).toEqual(plain(await inlineValidator.readPush(bodyOf(batch.slice(0, 30)))));
  });

  it('HUB_VALIDATION_WORKERS: 1 by default, 0 for the hub thread, refused when not a small whole number', () => {
    expect(configFromEnv({}).validationWorkers).toBe(1);
    expect(configFromEnv({ HUB_VALIDATION_WORKERS: '0' }).validationWorkers).toBe(0);
    expect(configFromEnv({ HUB_VALIDATION_WORKERS: '3' }).validationWorkers).toBe(3);
    expect(() => configFromEnv({ HUB_VALIDATION_WORKERS: 'many' })).toThrow('HUB_VALIDATION_WORKERS');
    expect(() => configFromEnv({ HUB_VALIDATION_WORKERS: '99' })).toThrow('HUB_VALIDATION_WORKERS');
  });
});

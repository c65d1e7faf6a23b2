/**
 * Validating pushed events in worker threads (src-hub/sync/validator.ts) gives exactly what
 * validating on the hub's thread gives; a worker that fails leaves validation inline, with
 * the same answers, and says so.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { configFromEnv } from '../../src-hub/config';
import { MAX_EVENT_DEPTH } from '../../src-hub/sync/classify';
import { inlineValidator, workerValidator, type Validator } from '../../src-hub/sync/validator';
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

describe('validation in worker threads', () => {
  const pools: Validator[] = [];
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.close()));
  });

  it('gives the same verdicts, events and canonical content as validating inline', async () => {
    const pool = workerValidator(2);
    pools.push(pool);
    const batch = mixedBatch();
    const inline = await inlineValidator.classify(batch);
    const [a, b] = await Promise.all([pool.classify(batch), pool.classify(batch.slice(3))]);
    expect(a).toEqual(inline);
    expect(b).toEqual(await inlineValidator.classify(batch.slice(3)));
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

  it('falls back to validating inline when a worker cannot run, and reports it', async () => {
    const errors: Error[] = [];
    const pool = workerValidator(1, (e) => errors.push(e), new URL('./fixtures/broken-worker.mjs', import.meta.url));
    pools.push(pool);
    const batch = mixedBatch();
    expect(await pool.classify(batch)).toEqual(await inlineValidator.classify(batch));
    // once the worker is known broken, later batches go inline at once
    await new Promise((r) => setTimeout(r, 50));
    expect(errors.length).toBeGreaterThan(0);
    expect(await pool.classify(batch.slice(0, 30))).toEqual(await inlineValidator.classify(batch.slice(0, 30)));
  });

  it('HUB_VALIDATION_WORKERS: 1 by default, 0 for the hub thread, refused when not a small whole number', () => {
    expect(configFromEnv({}).validationWorkers).toBe(1);
    expect(configFromEnv({ HUB_VALIDATION_WORKERS: '0' }).validationWorkers).toBe(0);
    expect(configFromEnv({ HUB_VALIDATION_WORKERS: '3' }).validationWorkers).toBe(3);
    expect(() => configFromEnv({ HUB_VALIDATION_WORKERS: 'many' })).toThrow('HUB_VALIDATION_WORKERS');
    expect(() => configFromEnv({ HUB_VALIDATION_WORKERS: '99' })).toThrow('HUB_VALIDATION_WORKERS');
  });
});

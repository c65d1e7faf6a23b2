/**
 * A validation worker thread (started by validator.ts through validation-worker.mjs): takes a
 * batch's raw events, answers with one verdict per event.
 */
import { parentPort } from 'node:worker_threads';
import { classify, verdictOf } from './classify';

interface Request {
  id: number;
  events: unknown[];
}

parentPort?.on('message', (m: Request) => {
  try {
    parentPort!.postMessage({ id: m.id, verdicts: m.events.map((raw, i) => verdictOf(classify(raw, i))) });
  } catch (e) {
    parentPort!.postMessage({ id: m.id, error: String((e as Error)?.stack ?? e) });
  }
});

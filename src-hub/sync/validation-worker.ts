/**
 * A validation worker thread (started by validator.ts through validation-worker.mjs): takes a
 * push's body as sent, answers with the request read and one verdict per event (push-body.ts).
 */
import { parentPort } from 'node:worker_threads';
import { readPushBody } from './push-body';

interface Request {
  id: number;
  body: Uint8Array | string;
}

parentPort?.on('message', (m: Request) => {
  try {
    parentPort!.postMessage({ id: m.id, verdict: readPushBody(m.body) });
  } catch (e) {
    parentPort!.postMessage({ id: m.id, error: String((e as Error)?.stack ?? e) });
  }
});

/**
 * A tiny append-only log file in userData/logs. Writes are queued so lines keep their order;
 * a failing write never throws into the caller (logging must not take the app down).
 */
import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';

export interface FileLog {
  (message: string): void;
  /** resolves when every line logged so far is on disk */
  flush(): Promise<void>;
  readonly file: string;
}

export function createFileLog(file: string, now: () => Date = () => new Date()): FileLog {
  let queue: Promise<void> = Promise.resolve();
  const log = ((message: string) => {
    const line = `${now().toISOString()} ${message.replace(/\r?\n/g, ' ')}\n`;
    queue = queue
      .then(async () => {
        await mkdir(path.dirname(file), { recursive: true });
        await appendFile(file, line, 'utf8');
      })
      .catch((error: unknown) => {
        console.error(`[relay-desk] cannot write log ${file}:`, error);
      });
  }) as FileLog;
  Object.defineProperty(log, 'file', { value: file });
  log.flush = () => queue;
  return log;
}

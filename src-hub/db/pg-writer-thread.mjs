// Entry of the PostgreSQL writer thread (pg-writer.ts): the hub runs TypeScript through tsx,
// which a worker thread has to register for itself before loading the thread's module.
import { register } from 'tsx/esm/api';

register();
await import('./pg-writer-thread.ts');

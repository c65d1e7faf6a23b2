// Entry of the embedded database thread (pglite-driver.ts): the hub runs TypeScript through
// tsx, which a worker thread has to register for itself before loading the thread's module.
import { register } from 'tsx/esm/api';

register();
await import('./pglite-thread.ts');

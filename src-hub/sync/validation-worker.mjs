// Entry of a validation worker thread: the hub runs TypeScript through tsx, which a worker
// thread has to register for itself before loading the worker's module.
import { register } from 'tsx/esm/api';

register();
await import('./validation-worker.ts');

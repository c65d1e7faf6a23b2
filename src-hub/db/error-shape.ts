/**
 * A database error crossing between threads (the embedded engine's thread, the PostgreSQL
 * writer thread): its message, name and SQLSTATE fields survive, so the hub reads it as it
 * would read the error raised on its own thread (error-handler.ts: 503 for a database down).
 */
/** The parts of a database error worth keeping when it crosses a thread (SQLSTATE and where). */
const ERROR_FIELDS = ['code', 'detail', 'hint', 'severity', 'schema', 'table', 'column', 'constraint', 'position', 'where', 'routine'] as const;

export interface ErrorShape {
  name: string;
  message: string;
  stack?: string;
  fields: Record<string, string>;
}

export function errorShape(e: unknown): ErrorShape {
  const err = e instanceof Error ? e : new Error(String(e));
  const fields: Record<string, string> = {};
  for (const key of ERROR_FIELDS) {
    const v = (err as unknown as Record<string, unknown>)[key];
    if (typeof v === 'string' || typeof v === 'number') fields[key] = String(v);
  }
  return { name: err.name, message: err.message, ...(err.stack ? { stack: err.stack } : {}), fields };
}

/** The error again on this side: same message, name and SQLSTATE fields (`code` ...). */
export function errorFromShape(shape: ErrorShape): Error {
  const err = new Error(shape.message);
  err.name = shape.name;
  Object.assign(err, shape.fields);
  return err;
}

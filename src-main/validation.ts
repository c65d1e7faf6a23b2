/**
 * Payload validation shared by the preload (fail fast in the renderer) and the main process
 * (trust nothing that crosses IPC). Errors name the channel and every bad field.
 */
import type { z } from 'zod';

export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const where = issue.path.length > 0 ? issue.path.map(String).join('.') : 'request';
      return `${where}: ${issue.message}`;
    })
    .join('; ');
}

export function parsePayload<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new Error(`${what}: invalid request: ${describeIssues(result.error)}`);
  }
  return result.data;
}

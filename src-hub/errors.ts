/**
 * A refusal the hub explains: HTTP status, a stable English code for programs, and a plain
 * Chinese message for people. Sent as the protocol's ErrorBody.
 */
import type { ErrorBody } from '../src-common/protocol/v1';

export class HubError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly eventIds?: string[],
  ) {
    super(message);
    this.name = 'HubError';
  }

  toBody(): ErrorBody {
    return {
      error: { code: this.code, message: this.message, ...(this.eventIds ? { eventIds: this.eventIds } : {}) },
    };
  }
}

export function errorBody(code: string, message: string, eventIds?: string[]): ErrorBody {
  return { error: { code, message, ...(eventIds ? { eventIds } : {}) } };
}

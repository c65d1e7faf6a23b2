/**
 * Every refusal as the protocol's JSON ErrorBody: 4xx for what the client sent wrong, with a
 * stable code and a plain message; 5xx only for the hub's own faults (logged).
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { MAX_PUSH_BYTES } from '../../src-common/protocol/v1';
import { errorBody, HubError } from '../errors';

function clientError(error: FastifyError): { status: number; code: string; message: string } | null {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        status: 413,
        code: 'body_too_large',
        message: `请求体超过上限 ${MAX_PUSH_BYTES} 字节（1 MB）：请分成更小的批次推送`,
      };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, code: 'unsupported_media_type', message: '请求体必须是 JSON（Content-Type: application/json）' };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, code: 'malformed_json', message: '请求体为空：需要一个 JSON 对象' };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { status: 400, code: 'invalid_content_length', message: '请求头 Content-Length 与请求体长度不符' };
  }
  const status = error.statusCode ?? 500;
  if (status === 400 && (error instanceof SyntaxError || /JSON|Unexpected|prototype/i.test(error.message))) {
    return { status: 400, code: 'malformed_json', message: `请求体不是有效的 JSON：${error.message}` };
  }
  if (status >= 400 && status < 500) return { status, code: `http_${status}`, message: error.message };
  return null;
}

/**
 * The database did not answer (not reachable, restarting, connection cut): the hub is not at
 * fault and the request can be retried, so 503 database_unavailable, as the health check says.
 * node-postgres: socket errors and SQLSTATE classes 08 (connection exception) and 57P
 * (operator intervention: shutting down, cannot connect now).
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (/^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EPIPE)$/.test(code) || /^(08|57P)/.test(code)) return true;
  const message = typeof e?.message === 'string' ? e.message : '';
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|PGlite is closed/i.test(message);
}

export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  // refused before its body arrived (no token, too large): the connection closes with the
  // answer, so a client trickling the body cannot keep it open
  if (!request.raw.complete) void reply.header('connection', 'close');
  if (error instanceof HubError) {
    void reply.status(error.statusCode).send(error.toBody());
    return;
  }
  const known = clientError(error);
  if (known) {
    request.log.info({ code: known.code }, known.message);
    void reply.status(known.status).send(errorBody(known.code, known.message));
    return;
  }
  if (isDatabaseUnavailable(error)) {
    request.log.error({ err: error }, 'database not answering');
    void reply.status(503).send(errorBody('database_unavailable', '集线器数据库暂不可用，请稍后重试'));
    return;
  }
  request.log.error({ err: error }, 'hub fault');
  void reply.status(500).send(errorBody('internal', '集线器内部错误，请稍后重试（已记录日志）'));
}

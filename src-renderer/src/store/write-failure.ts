/**
 * What an operator is told when recording fails. A refusal by the rules (DomainError,
 * ValidationError) already speaks to the operator; a failure of the local database is put in
 * plain words — nothing of it was saved, what is on screen is still there, what to do — with
 * the technical detail after it for whoever is called.
 */
import { DomainError, ValidationError } from '../../../src-common/domain';

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  inner?: ErrorLike | null;
}

/** the error's names and messages, its inner errors' too (Dexie wraps the IndexedDB error) */
function chain(error: unknown): { names: string; detail: string } {
  const names: string[] = [];
  const parts: string[] = [];
  let e = error as ErrorLike | null | undefined;
  for (let depth = 0; e && depth < 4; depth++, e = e.inner) {
    if (typeof e.name === 'string') names.push(e.name);
    if (typeof e.message === 'string' && e.message && !parts.includes(e.message)) parts.push(e.message);
  }
  if (parts.length === 0) parts.push(String(error));
  return { names: names.join(' '), detail: parts.join(' / ') };
}

/** @param what the act that failed, as in "未能{what}" (保存, 并单, 确认交班 …) */
export function describeWriteFailure(error: unknown, what = '保存'): string {
  if (error instanceof DomainError || error instanceof ValidationError) return error.message;
  const { names, detail } = chain(error);
  if (/QuotaExceeded/i.test(`${names} ${detail}`)) {
    return `磁盘空间不足，未能${what}，本机数据没有任何改动（屏幕上填写的内容仍在）。请清理磁盘或联系管理员后再试。（${detail}）`;
  }
  if (/DatabaseClosed|InvalidState/i.test(names) || /connection is closing|database.*closed/i.test(detail)) {
    return `本机数据库已关闭（可能另一个窗口升级了程序），未能${what}，本机数据没有任何改动。请先把屏幕上填写的内容记下，再重新打开本程序。（${detail}）`;
  }
  return `未能${what}，本机数据没有任何改动（屏幕上填写的内容仍在），请重试。（${detail}）`;
}

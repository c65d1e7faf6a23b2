/**
 * Saving files the operator asked for (exports, PDFs): the system save dialog picks the
 * place, then the bytes are written, whole or not at all (a backup saved over an older one
 * never leaves half a file after a power cut). Nothing is written without the dialog.
 */
import type { BrowserWindow, Dialog, FileFilter } from 'electron';
import path from 'node:path';
import type { SaveFileResult } from '../src-common/contract/shell';
import { writeFileDurably } from '../src-common/node/durable-write';

export interface SaveTarget {
  dialog: Pick<Dialog, 'showSaveDialog'>;
  getWindow: () => BrowserWindow | null;
  /** folder the dialog opens in */
  defaultDir: () => string;
  /** writes the bytes; by default whole or not at all, synced to disk (durable-write.ts) */
  writeFile?: (file: string, data: Uint8Array) => Promise<void>;
}

export interface SaveFileInput {
  suggestedName: string;
  content: string;
  encoding: 'utf8' | 'base64';
  mime: string;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function fileFilters(suggestedName: string): FileFilter[] {
  const ext = path.extname(suggestedName).slice(1).toLowerCase();
  const all: FileFilter = { name: 'All files', extensions: ['*'] };
  return ext ? [{ name: `${ext.toUpperCase()} file`, extensions: [ext] }, all] : [all];
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Shows the save dialog; null when the operator cancels. */
export async function askSavePath(target: SaveTarget, suggestedName: string): Promise<string | null> {
  const options = {
    title: 'Save / 保存',
    defaultPath: path.join(target.defaultDir(), path.basename(suggestedName)),
    filters: fileFilters(suggestedName),
    properties: ['createDirectory', 'showOverwriteConfirmation'] as Array<'createDirectory' | 'showOverwriteConfirmation'>,
  };
  const win = target.getWindow();
  const result = win && !win.isDestroyed()
    ? await target.dialog.showSaveDialog(win, options)
    : await target.dialog.showSaveDialog(options);
  if (result.canceled || !result.filePath) return null;
  return result.filePath;
}

/** Asks where, then writes; a cancel or a write error comes back as `saved: false`. */
export async function saveBytes(target: SaveTarget, suggestedName: string, data: Uint8Array): Promise<SaveFileResult> {
  const file = await askSavePath(target, suggestedName);
  if (!file) return { saved: false, reason: 'cancelled' };
  try {
    await (target.writeFile ?? writeFileDurably)(file, data);
    return { saved: true, path: file };
  } catch (error) {
    return { saved: false, reason: `cannot write ${file}: ${reasonOf(error)}` };
  }
}

export async function saveFile(target: SaveTarget, request: SaveFileInput): Promise<SaveFileResult> {
  if (request.encoding === 'base64' && (request.content.length % 4 !== 0 || !BASE64.test(request.content))) {
    return { saved: false, reason: 'content is not valid base64' };
  }
  const data = Buffer.from(request.content, request.encoding);
  return saveBytes(target, request.suggestedName, data);
}

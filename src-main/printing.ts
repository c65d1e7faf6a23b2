/**
 * Printing the current page: through the system print dialog (or silently to the default
 * printer when asked), or to an A4 PDF saved where the operator chooses.
 */
import type { WebContents } from 'electron';
import type { PrintResult, SaveFileResult } from '../src-common/contract/shell';
import { saveBytes, type SaveTarget } from './files';

export interface PrintInput {
  silent: boolean;
  landscape: boolean;
}

export interface PrintToPdfInput {
  suggestedName: string;
  landscape: boolean;
}

export function printPage(webContents: WebContents, request: PrintInput): Promise<PrintResult> {
  return new Promise((resolve) => {
    try {
      webContents.print(
        { silent: request.silent, printBackground: true, landscape: request.landscape },
        (success, failureReason) => {
          resolve(success ? { ok: true } : { ok: false, reason: failureReason || 'printing failed' });
        },
      );
    } catch (error) {
      resolve({ ok: false, reason: error instanceof Error ? error.message : String(error) });
    }
  });
}

export function withPdfExtension(name: string): string {
  return /\.pdf$/i.test(name) ? name : `${name}.pdf`;
}

export async function printToPdf(
  webContents: WebContents,
  target: SaveTarget,
  request: PrintToPdfInput,
): Promise<SaveFileResult> {
  let pdf: Uint8Array;
  try {
    pdf = await webContents.printToPDF({ pageSize: 'A4', printBackground: true, landscape: request.landscape });
  } catch (error) {
    return { saved: false, reason: `cannot render PDF: ${error instanceof Error ? error.message : String(error)}` };
  }
  return saveBytes(target, withPdfExtension(request.suggestedName), pdf);
}

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { WebContents } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { fileFilters, saveFile, type SaveTarget } from '../../src-main/files';
import { printPage, printToPdf, withPdfExtension } from '../../src-main/printing';
import { FakeBrowserWindow, tempDir } from './fake-electron';

function target(choice: { canceled: boolean; filePath?: string }) {
  const win = new FakeBrowserWindow({});
  const dialog = { showSaveDialog: vi.fn(async (..._args: unknown[]) => ({ canceled: choice.canceled, filePath: choice.filePath ?? '' })) };
  const t: SaveTarget = {
    dialog: dialog as unknown as SaveTarget['dialog'],
    getWindow: () => win.asReal,
    defaultDir: () => '/home/operator/Documents',
  };
  return { win, dialog, target: t };
}

const contentsOf = (win: FakeBrowserWindow) => win.webContents as unknown as WebContents;

describe('print', () => {
  it('opens the system print dialog with backgrounds', async () => {
    const win = new FakeBrowserWindow({});
    await expect(printPage(contentsOf(win), { silent: false, landscape: false })).resolves.toEqual({ ok: true });
    expect(win.webContents.print).toHaveBeenCalledWith(
      { silent: false, printBackground: true, landscape: false },
      expect.any(Function),
    );
  });

  it('reports a cancelled or failed print', async () => {
    const win = new FakeBrowserWindow({});
    win.webContents.printOutcome = { success: false, reason: 'cancelled' };
    await expect(printPage(contentsOf(win), { silent: false, landscape: true })).resolves.toEqual({ ok: false, reason: 'cancelled' });
    win.webContents.print.mockImplementationOnce(() => {
      throw new Error('no printer');
    });
    await expect(printPage(contentsOf(win), { silent: true, landscape: false })).resolves.toEqual({ ok: false, reason: 'no printer' });
  });
});

describe('printToPdf', () => {
  it('renders A4 with backgrounds, asks where, writes the PDF', async () => {
    const dir = tempDir();
    const file = path.join(dir, '工单.pdf');
    const { win, dialog, target: t } = target({ canceled: false, filePath: file });
    const result = await printToPdf(contentsOf(win), t, { suggestedName: '工单', landscape: true });
    expect(win.webContents.printToPDF).toHaveBeenCalledWith({ pageSize: 'A4', printBackground: true, landscape: true });
    expect(dialog.showSaveDialog).toHaveBeenCalledWith(
      win,
      expect.objectContaining({
        defaultPath: path.join('/home/operator/Documents', '工单.pdf'),
        filters: expect.arrayContaining([{ name: 'PDF file', extensions: ['pdf'] }]),
      }),
    );
    expect(result).toEqual({ saved: true, path: file });
    expect(await readFile(file)).toEqual(win.webContents.pdfBytes);
  });

  it('writes nothing when the operator cancels', async () => {
    const { win, target: t } = target({ canceled: true });
    const writeFile = vi.fn(async () => {});
    const result = await printToPdf(contentsOf(win), { ...t, writeFile }, { suggestedName: 'a.pdf', landscape: false });
    expect(result).toEqual({ saved: false, reason: 'cancelled' });
    expect(writeFile).not.toHaveBeenCalled();
  });

  it('reports a rendering failure without opening the dialog', async () => {
    const { win, dialog, target: t } = target({ canceled: false, filePath: '/tmp/x.pdf' });
    win.webContents.printToPDF.mockRejectedValueOnce(new Error('renderer gone'));
    const result = await printToPdf(contentsOf(win), t, { suggestedName: 'a', landscape: false });
    expect(result).toEqual({ saved: false, reason: 'cannot render PDF: renderer gone' });
    expect(dialog.showSaveDialog).not.toHaveBeenCalled();
  });

  it('adds .pdf only when missing', () => {
    expect(withPdfExtension('a')).toBe('a.pdf');
    expect(withPdfExtension('a.PDF')).toBe('a.PDF');
  });
});

describe('saveFile', () => {
  it('asks where and writes UTF-8 text', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'cases.csv');
    const { dialog, target: t } = target({ canceled: false, filePath: file });
    const result = await saveFile(t, { suggestedName: 'cases.csv', content: '编号,标题\nC-1,噪音', encoding: 'utf8', mime: 'text/csv' });
    expect(result).toEqual({ saved: true, path: file });
    expect(await readFile(file, 'utf8')).toBe('编号,标题\nC-1,噪音');
    expect(dialog.showSaveDialog.mock.calls[0]?.[1]).toMatchObject({
      defaultPath: path.join('/home/operator/Documents', 'cases.csv'),
      filters: [{ name: 'CSV file', extensions: ['csv'] }, { name: 'All files', extensions: ['*'] }],
    });
  });

  it('decodes base64 into the exact bytes', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'a.bin');
    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    const { target: t } = target({ canceled: false, filePath: file });
    await saveFile(t, { suggestedName: 'a.bin', content: bytes.toString('base64'), encoding: 'base64', mime: 'application/octet-stream' });
    expect(await readFile(file)).toEqual(bytes);
  });

  it('refuses invalid base64 before asking', async () => {
    const { dialog, target: t } = target({ canceled: false, filePath: '/tmp/x' });
    const result = await saveFile(t, { suggestedName: 'a.bin', content: 'not base64!', encoding: 'base64', mime: 'x' });
    expect(result).toEqual({ saved: false, reason: 'content is not valid base64' });
    expect(dialog.showSaveDialog).not.toHaveBeenCalled();
  });

  it('reports a write error', async () => {
    const { target: t } = target({ canceled: false, filePath: '/tmp/x.json' });
    const writeFile = vi.fn(async () => {
      throw new Error('EACCES: permission denied');
    });
    const result = await saveFile({ ...t, writeFile }, { suggestedName: 'x.json', content: '{}', encoding: 'utf8', mime: 'application/json' });
    expect(result).toEqual({ saved: false, reason: 'cannot write /tmp/x.json: EACCES: permission denied' });
  });

  it('uses the dialog without a parent when no window is open', async () => {
    const { dialog, target: t } = target({ canceled: true });
    await saveFile({ ...t, getWindow: () => null }, { suggestedName: 'x', content: '', encoding: 'utf8', mime: 'text/plain' });
    expect(dialog.showSaveDialog).toHaveBeenCalledWith(expect.objectContaining({ filters: fileFilters('x') }));
    expect(dialog.showSaveDialog.mock.calls[0]).toHaveLength(1);
  });
});

/**
 * When the local store cannot open: say why in plain words, let the operator export what
 * can still be read, and only then offer a reset.
 */
import { useState } from 'react';
import { shell } from '../shell';
import { DEFAULT_DB_NAME } from '../store/db';
import { rescueRead, type OpenFailure } from '../store/open-db';
import { rescueFile } from '../store/backup';

export function RecoveryScreen({ failure, onRetry }: { failure: OpenFailure; onRetry(): void }) {
  const [exported, setExported] = useState(false);
  const [message, setMessage] = useState('');
  const [confirmText, setConfirmText] = useState('');

  async function exportReadable() {
    const { stores, unreadable } = await rescueRead(DEFAULT_DB_NAME);
    const file = rescueFile(stores, unreadable, __APP_VERSION__);
    const result = await shell.saveFile({ suggestedName: `relay-desk-rescue-${Date.now()}.json`, content: JSON.stringify(file), mime: 'application/json' });
    if (result.saved) {
      setExported(true);
      setMessage(`已导出 ${file.events.length} 条记录${unreadable.length ? `；无法读取：${unreadable.map((u) => u.store).join('、')}` : ''}。`);
    }
  }

  async function reset() {
    await new Promise<void>((resolve, reject) => {
      const req = indexedDB.deleteDatabase(DEFAULT_DB_NAME);
      req.onsuccess = () => resolve();
      req.onerror = () => reject(req.error);
      req.onblocked = () => reject(new Error('仍有其他窗口占用数据库'));
    }).then(onRetry, (e: unknown) => setMessage(`重置失败：${String((e as Error)?.message ?? e)}`));
  }

  return (
    <div className="center-screen">
      <div className="panel" role="alert" data-testid="recovery-screen">
        <h1>本机数据需要处理</h1>
        <p className="lead">{failure.message}</p>
        <pre className="detail-text">{failure.kind} · {failure.detail}</pre>
        <div className="btn-row" style={{ margin: '12px 0' }}>
          <button type="button" className="btn primary" onClick={onRetry}>重试</button>
          {failure.kind !== 'blocked' && (
            <button type="button" className="btn" onClick={() => void exportReadable()}>导出能读取的数据</button>
          )}
        </div>
        {message && <p className="hint">{message}</p>}
        {(failure.kind === 'corrupt' || failure.kind === 'unknown') && (
          <>
            <h3>重置本机数据库</h3>
            <p className="hint">
              重置会删除本机数据库并重新开始。{exported ? '已导出备份，可在重置后从“数据与设置”导入。' : '请先导出能读取的数据；确实无法导出时，输入“确认重置”后才能重置。'}
            </p>
            <div className="btn-row">
              {!exported && <input type="text" aria-label="确认重置" value={confirmText} onChange={(e) => setConfirmText(e.target.value)} placeholder="确认重置" style={{ width: 140 }} />}
              <button type="button" className="btn danger" disabled={!exported && confirmText !== '确认重置'} onClick={() => void reset()}>
                重置数据库
              </button>
            </div>
          </>
        )}
      </div>
    </div>
  );
}

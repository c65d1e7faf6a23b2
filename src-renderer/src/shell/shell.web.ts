/**
 * The browser edition of the shell contract: web Notification, window.print, a download for
 * "save file", and an IndexedDB database of its own for settings (web-secure-store.ts; not
 * encrypted: isProtected says so).
 */
import {
  NotifyRequestSchema,
  SaveFileRequestSchema,
  SecureSettingKeySchema,
  type ShellApi,
} from '../../../src-common/contract/shell';
import { createWebSecureStore } from './web-secure-store';

const secureStore = createWebSecureStore({ indexedDB: globalThis.indexedDB, legacy: typeof localStorage === 'undefined' ? null : localStorage });

const clickListeners = new Set<(caseId: string | null) => void>();
const live = new Map<string, Notification>();

function download(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function base64ToBytes(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export const webShell = {
  async appInfo() {
    return { name: 'Relay Desk', version: __APP_VERSION__, edition: 'web' as const, platform: navigator.platform || 'web' };
  },
  async notify(request) {
    const n = NotifyRequestSchema.parse(request);
    if (typeof Notification === 'undefined') return { shown: false, reason: '此浏览器不支持系统通知' };
    let permission = Notification.permission;
    if (permission === 'default') permission = await Notification.requestPermission();
    if (permission !== 'granted') return { shown: false, reason: '未获得系统通知权限' };
    live.get(n.id)?.close();
    const notification = new Notification(n.title, { body: n.body, tag: n.id, requireInteraction: n.urgent, silent: false });
    notification.onclick = () => {
      window.focus();
      for (const l of clickListeners) l(n.caseId ?? null);
      notification.close();
    };
    live.set(n.id, notification);
    return { shown: true };
  },
  onNotificationClick(listener) {
    clickListeners.add(listener);
    return () => clickListeners.delete(listener);
  },
  async print() {
    window.print();
    return { ok: true };
  },
  async printToPdf() {
    // browsers offer "Save as PDF" in their own print dialog
    window.print();
    return { saved: false, reason: '请在打印对话框中选择“另存为 PDF”' };
  },
  async saveFile(request) {
    const r = SaveFileRequestSchema.parse(request);
    const blob = r.encoding === 'base64' ? new Blob([base64ToBytes(r.content)], { type: r.mime }) : new Blob([r.content], { type: r.mime });
    download(r.suggestedName, blob);
    return { saved: true, path: r.suggestedName };
  },
  secureSettings: {
    isProtected: async () => false,
    async get(key) {
      return secureStore.get(SecureSettingKeySchema.parse(key));
    },
    async set(key, value) {
      await secureStore.set(SecureSettingKeySchema.parse(key), value);
    },
  },
} satisfies ShellApi;

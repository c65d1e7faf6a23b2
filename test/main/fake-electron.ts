/**
 * A fake of the parts of `electron` the main process uses. It records calls (vi.fn) and
 * lets tests drive events (emit). Importing the real package outside Electron would try to
 * download the binary, so main-process modules receive this instead.
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserWindow, IpcMainInvokeEvent } from 'electron';
import { vi } from 'vitest';
import type { ElectronApi } from '../../src-main/electron-api';

export class FakeEvent {
  defaultPrevented = false;
  constructor(fields: Record<string, unknown> = {}) {
    Object.assign(this, fields);
  }
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

export class FakeFrame {
  constructor(
    public url: string,
    public parent: FakeFrame | null = null,
  ) {}
}

type HeadersListener = (
  details: { url: string; responseHeaders?: Record<string, string[]> },
  callback: (response: { responseHeaders?: Record<string, string[]>; cancel?: boolean }) => void,
) => void;
type PermissionRequestHandler = (wc: FakeWebContents, permission: string, callback: (granted: boolean) => void) => void;
type PermissionCheckHandler = (wc: FakeWebContents | null, permission: string, origin: string) => boolean;

export class FakeSession {
  headersListener: HeadersListener | null = null;
  permissionRequestHandler: PermissionRequestHandler | null = null;
  permissionCheckHandler: PermissionCheckHandler | null = null;
  webRequest = {
    onHeadersReceived: vi.fn((listener: HeadersListener) => {
      this.headersListener = listener;
    }),
  };
  setPermissionRequestHandler = vi.fn((handler: PermissionRequestHandler) => {
    this.permissionRequestHandler = handler;
  });
  setPermissionCheckHandler = vi.fn((handler: PermissionCheckHandler) => {
    this.permissionCheckHandler = handler;
  });

  /** Runs the onHeadersReceived listener like Chromium would. */
  headersFor(url: string, responseHeaders: Record<string, string[]> = {}) {
    if (!this.headersListener) throw new Error('no onHeadersReceived listener installed');
    let response: { responseHeaders?: Record<string, string[]>; cancel?: boolean } | undefined;
    this.headersListener({ url, responseHeaders }, (r) => {
      response = r;
    });
    return response;
  }

  /** Runs the permission request handler and returns what it granted. */
  requestPermission(wc: FakeWebContents, permission: string): boolean {
    if (!this.permissionRequestHandler) throw new Error('no permission request handler installed');
    let granted: boolean | undefined;
    this.permissionRequestHandler(wc, permission, (g) => {
      granted = g;
    });
    if (granted === undefined) throw new Error('permission request handler never answered');
    return granted;
  }
}

export class FakeWebContents extends EventEmitter {
  url = '';
  readonly mainFrame = new FakeFrame('');
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  printOutcome: { success: boolean; reason: string } = { success: true, reason: '' };
  pdfBytes = Buffer.from('%PDF-1.7 fake');

  constructor(public session: FakeSession = new FakeSession()) {
    super();
  }

  getURL(): string {
    return this.url;
  }
  /** what a page load does: both the WebContents and its main frame show the URL */
  showUrl(url: string): void {
    this.url = url;
    this.mainFrame.url = url;
  }
  send = vi.fn((_channel: string, ..._args: unknown[]) => {});
  reload = vi.fn(() => {});
  print = vi.fn((_options: unknown, callback?: (success: boolean, reason: string) => void) => {
    callback?.(this.printOutcome.success, this.printOutcome.reason);
  });
  printToPDF = vi.fn(async (_options: unknown) => this.pdfBytes);
  setWindowOpenHandler = vi.fn((handler: (details: { url: string }) => { action: string }) => {
    this.windowOpenHandler = handler;
  });

  /** Simulates a renderer-initiated navigation; returns the event to inspect. */
  tryNavigate(url: string): FakeEvent {
    const event = new FakeEvent({ url, isSameDocument: false, isMainFrame: true });
    this.emit('will-navigate', event, url);
    return event;
  }

  /** An IPC event as Electron would build it, from this WebContents' main frame by default. */
  ipcEvent(frame: FakeFrame | null = this.mainFrame): IpcMainInvokeEvent {
    return { sender: this, senderFrame: frame } as unknown as IpcMainInvokeEvent;
  }
}

export interface FakeWindowOptions {
  title?: string;
  webPreferences?: Record<string, unknown>;
  [key: string]: unknown;
}

export class FakeBrowserWindow extends EventEmitter {
  readonly webContents: FakeWebContents;
  destroyed = false;
  visible = false;
  minimized = false;

  constructor(public readonly options: FakeWindowOptions, session?: FakeSession) {
    super();
    this.webContents = new FakeWebContents(session);
  }

  loadFile = vi.fn(async (file: string) => {
    this.webContents.showUrl(pathToFileURL(file).href);
  });
  loadURL = vi.fn(async (url: string) => {
    this.webContents.showUrl(url);
  });
  show = vi.fn(() => {
    this.visible = true;
  });
  focus = vi.fn(() => {});
  restore = vi.fn(() => {
    this.minimized = false;
  });
  isMinimized(): boolean {
    return this.minimized;
  }
  isVisible(): boolean {
    return this.visible;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  close(): void {
    this.destroyed = true;
    this.emit('closed');
  }
  /** the real type, for passing the fake to code under test */
  get asReal(): BrowserWindow {
    return this as unknown as BrowserWindow;
  }
}

type Handler = (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown;

export class FakeIpcMain {
  readonly handlers = new Map<string, Handler>();
  handle = vi.fn((channel: string, handler: Handler) => {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, handler);
  });
  removeHandler = vi.fn((channel: string) => {
    this.handlers.delete(channel);
  });
  /** Calls a registered handler the way ipcRenderer.invoke would reach it. */
  async invoke(channel: string, event: IpcMainInvokeEvent, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`no handler for ${channel}`);
    return handler(event, ...args);
  }
}

export interface FakeNotificationOptions {
  id?: string;
  title?: string;
  body?: string;
  silent?: boolean;
  urgency?: string;
  timeoutType?: string;
}

export function createFakeNotificationClass() {
  return class FakeNotification extends EventEmitter {
    static supported = true;
    static readonly instances: FakeNotification[] = [];
    static isSupported(): boolean {
      return FakeNotification.supported;
    }
    show = vi.fn(() => {});
    close = vi.fn(() => {
      this.emit('close', new FakeEvent());
    });
    constructor(public readonly options: FakeNotificationOptions) {
      super();
      FakeNotification.instances.push(this);
    }
    click(): void {
      this.emit('click', new FakeEvent());
    }
  };
}
export type FakeNotificationClass = ReturnType<typeof createFakeNotificationClass>;

/** Reversible "encryption" that is obviously not plain text. */
export class FakeSafeStorage {
  available = true;
  backend: 'basic_text' | 'gnome_libsecret' | 'kwallet' | 'kwallet5' | 'kwallet6' | 'unknown' = 'gnome_libsecret';
  isEncryptionAvailable = vi.fn(() => this.available);
  encryptString = vi.fn((text: string) => {
    if (!this.available) throw new Error('encryption not available');
    return Buffer.concat([Buffer.from('FAKEENC:'), Buffer.from(text, 'utf8').map((b) => b ^ 0x5a)]);
  });
  decryptString = vi.fn((data: Buffer) => {
    if (!this.available) throw new Error('encryption not available');
    const prefix = Buffer.from('FAKEENC:');
    if (!data.subarray(0, prefix.length).equals(prefix)) throw new Error('not fake-encrypted data');
    return Buffer.from(data.subarray(prefix.length).map((b) => b ^ 0x5a)).toString('utf8');
  });
  getSelectedStorageBackend = vi.fn(() => this.backend);
}

export class FakeApp extends EventEmitter {
  gotLock = true;
  isPackaged = false;
  ready = true;
  readonly userData: string;
  constructor(userData: string) {
    super();
    this.userData = userData;
  }
  requestSingleInstanceLock = vi.fn(() => this.gotLock);
  quit = vi.fn(() => {});
  enableSandbox = vi.fn(() => {});
  readonly switches = new Map<string, string | undefined>();
  commandLine = {
    appendSwitch: vi.fn((name: string, value?: string) => {
      if (this.isReady()) throw new Error(`appendSwitch(${name}) after ready has no effect`);
      this.switches.set(name, value);
    }),
  };
  setAppUserModelId = vi.fn((_id: string) => {});
  whenReady = vi.fn(() => Promise.resolve());
  isReady = vi.fn(() => this.ready);
  getName = vi.fn(() => 'Relay Desk');
  getVersion = vi.fn(() => '0.1.0');
  getPath = vi.fn((name: string) => (name === 'userData' ? this.userData : path.join(this.userData, `fake-${name}`)));
}

export function tempDir(prefix = 'relay-desk-test-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export function createFakeElectron(userData = tempDir()) {
  const app = new FakeApp(userData);
  const ipcMain = new FakeIpcMain();
  const session = new FakeSession();
  const windows: FakeBrowserWindow[] = [];
  const Notification = createFakeNotificationClass();
  const safeStorage = new FakeSafeStorage();
  const dialog = {
    showSaveDialog: vi.fn(async (..._args: unknown[]) => ({ canceled: false, filePath: path.join(userData, 'saved.out') })),
    showErrorBox: vi.fn((_title: string, _content: string) => {}),
  };
  class BrowserWindow extends FakeBrowserWindow {
    constructor(options: FakeWindowOptions) {
      super(options, session);
      windows.push(this);
    }
  }
  const electron = {
    app,
    BrowserWindow,
    ipcMain,
    Notification,
    dialog,
    safeStorage,
  };
  return {
    ...electron,
    session,
    windows,
    /** the fake typed as the real module subset */
    api: electron as unknown as ElectronApi,
  };
}
export type FakeElectron = ReturnType<typeof createFakeElectron>;

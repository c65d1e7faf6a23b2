import { describe, expect, it, vi } from 'vitest';
import { ShellChannel } from '../../src-common/contract/shell';
import type { ElectronApi } from '../../src-main/electron-api';
import { MAX_LIVE_NOTIFICATIONS, createNotifier } from '../../src-main/notifier';
import { FakeBrowserWindow, createFakeNotificationClass } from './fake-electron';

function setup(platform: NodeJS.Platform = 'linux') {
  const Notification = createFakeNotificationClass();
  const win = new FakeBrowserWindow({});
  const notifier = createNotifier({
    Notification: Notification as unknown as ElectronApi['Notification'],
    getWindow: () => (win.destroyed ? null : win.asReal),
    platform,
  });
  return { Notification, win, notifier };
}

const urgent = { id: 'case-C-7', title: '紧急工单 Urgent', body: '燃气泄漏 gas leak', caseId: 'C-7', urgent: true };

describe('notifier', () => {
  it('shows a notification with title, body and sound', () => {
    const { Notification, notifier } = setup();
    expect(notifier.notify(urgent)).toEqual({ shown: true });
    expect(Notification.instances).toHaveLength(1);
    const n = Notification.instances[0]!;
    expect(n.options).toMatchObject({ title: '紧急工单 Urgent', body: '燃气泄漏 gas leak', silent: false, id: 'case-C-7' });
    expect(n.show).toHaveBeenCalledTimes(1);
  });

  it('marks urgent ones critical on Linux and keeps them until dismissed', () => {
    const { Notification, notifier } = setup('linux');
    notifier.notify(urgent);
    notifier.notify({ ...urgent, id: 'routine', urgent: false });
    expect(Notification.instances[0]!.options).toMatchObject({ urgency: 'critical', timeoutType: 'never' });
    expect(Notification.instances[1]!.options.urgency).toBe('normal');
    expect(Notification.instances[1]!.options.timeoutType).toBeUndefined();
  });

  it('sets no urgency outside Linux', () => {
    const { Notification, notifier } = setup('win32');
    notifier.notify(urgent);
    expect(Notification.instances[0]!.options.urgency).toBeUndefined();
    expect(Notification.instances[0]!.options.silent).toBe(false);
  });

  it('on click restores, shows and focuses the window and sends the caseId', () => {
    const { Notification, win, notifier } = setup();
    win.minimized = true;
    notifier.notify(urgent);
    Notification.instances[0]!.click();
    expect(win.restore).toHaveBeenCalledTimes(1);
    expect(win.show).toHaveBeenCalledTimes(1);
    expect(win.focus).toHaveBeenCalledTimes(1);
    expect(win.webContents.send).toHaveBeenCalledWith(ShellChannel.notificationClicked, 'C-7');
  });

  it('sends null when the notification has no case', () => {
    const { Notification, win, notifier } = setup();
    notifier.notify({ id: 'sync', title: 'Sync done', body: '', urgent: false });
    Notification.instances[0]!.click();
    expect(win.restore).not.toHaveBeenCalled();
    expect(win.webContents.send).toHaveBeenCalledWith(ShellChannel.notificationClicked, null);
  });

  it('does not throw when clicked after the window is gone', () => {
    const { Notification, win, notifier } = setup();
    notifier.notify(urgent);
    win.close();
    expect(() => Notification.instances[0]!.click()).not.toThrow();
    expect(win.webContents.send).not.toHaveBeenCalled();
  });

  it('reports unsupported systems instead of showing', () => {
    const { Notification, notifier } = setup();
    Notification.supported = false;
    const result = notifier.notify(urgent);
    expect(result.shown).toBe(false);
    expect(result.reason).toMatch(/not supported/);
    expect(Notification.instances).toHaveLength(0);
  });

  it('keeps live notifications referenced until closed or clicked', () => {
    const { Notification, notifier } = setup();
    notifier.notify(urgent);
    notifier.notify({ ...urgent, id: 'other' });
    expect(notifier.liveCount()).toBe(2);
    Notification.instances[0]!.click();
    expect(notifier.liveCount()).toBe(1);
    Notification.instances[1]!.emit('close', {});
    expect(notifier.liveCount()).toBe(0);
  });

  it('replaces a notification with the same id', () => {
    const { Notification, notifier } = setup();
    notifier.notify(urgent);
    notifier.notify({ ...urgent, body: 'updated' });
    expect(Notification.instances[0]!.close).toHaveBeenCalledTimes(1);
    expect(notifier.liveCount()).toBe(1);
    // the old one's late close event must not drop the new one
    Notification.instances[0]!.emit('close', {});
    expect(notifier.liveCount()).toBe(1);
  });

  it('bounds the number of kept notifications', () => {
    const { notifier } = setup();
    for (let i = 0; i < MAX_LIVE_NOTIFICATIONS + 10; i++) notifier.notify({ ...urgent, id: `n${i}` });
    expect(notifier.liveCount()).toBe(MAX_LIVE_NOTIFICATIONS);
  });

  it('logs a failed notification', () => {
    const Notification = createFakeNotificationClass();
    const log = vi.fn();
    const notifier = createNotifier({ Notification: Notification as unknown as ElectronApi['Notification'], getWindow: () => null, log });
    notifier.notify(urgent);
    Notification.instances[0]!.emit('failed', {}, 'toast error');
    expect(log).toHaveBeenCalledWith('notification failed: toast error');
    expect(notifier.liveCount()).toBe(0);
  });
});

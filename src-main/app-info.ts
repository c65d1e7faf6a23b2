/** Name, version and runtime of the desktop edition, for the About box and bug reports. */
import type { App } from 'electron';
import type { AppInfo } from '../src-common/contract/shell';

export function getAppInfo(
  app: Pick<App, 'getName' | 'getVersion'>,
  runtime: { platform: string; versions: Partial<Record<string, string>> } = process,
): AppInfo {
  const info: AppInfo = {
    name: app.getName(),
    version: app.getVersion(),
    edition: 'electron',
    platform: runtime.platform,
  };
  if (runtime.versions.electron) info.electronVersion = runtime.versions.electron;
  if (runtime.versions.chrome) info.chromeVersion = runtime.versions.chrome;
  return info;
}

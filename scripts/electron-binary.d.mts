export declare const ELECTRON_MISSING_REASON: string;
export declare const ELECTRON_OVERRIDE_HINT: string;
export interface ElectronBinaryOptions {
  /** project root holding node_modules/electron (default: this repository) */
  root?: string;
  env?: Record<string, string | undefined>;
  platform?: string;
}
/** Absolute path of the Electron executable, or null when it is not installed. */
export declare function electronBinaryPath(options?: ElectronBinaryOptions): string | null;
export declare function hasElectronBinary(options?: ElectronBinaryOptions): boolean;

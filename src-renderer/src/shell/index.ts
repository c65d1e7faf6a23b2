/**
 * The shell the renderer talks to: the preload's implementation inside Electron, the web
 * one in a browser. Nothing else in the renderer asks which edition it runs in.
 */
import type { ShellApi } from '../../../src-common/contract/shell';
import { webShell } from './shell.web';

export const shell: ShellApi = window.relayShell ?? webShell;
export const isDesktop = Boolean(window.relayShell);

/* global module */
// electron-builder configuration. electron-builder finds this file by itself (it looks for
// electron-builder.{yml,json,js,cjs,...}), so `npm run dist` needs no --config flag. It is a
// .cjs rather than a .yml only so that it can read the environment variable below.
//
// Offline packaging: electron-builder normally DOWNLOADS the Electron zip of the target
// platform. Where that is impossible, set RELAY_ELECTRON_DIST (or ELECTRON_OVERRIDE_DIST_PATH)
// to a local Electron of the SAME version (see node_modules/electron/package.json) and
// of the target platform, either
//   - an unpacked Electron folder (the contents of electron-v<version>-<platform>-<arch>.zip),
//   - a folder holding electron-v<version>-<platform>-<arch>.zip, or
//   - that zip file itself;
// it becomes `electronDist`. Example:
//   RELAY_ELECTRON_DIST=/opt/electron-v45.5.0-linux-x64 npm run dist -- --linux
//
// The app is fully bundled by electron-vite (out/main, out/preload, out/renderer), so only
// out/ and package.json are packaged (no node_modules); resources/ is copied next to the app
// (process.resourcesPath).

const electronDist = process.env.RELAY_ELECTRON_DIST || process.env.ELECTRON_OVERRIDE_DIST_PATH || undefined;

/** @type {import('electron-builder').Configuration} */
module.exports = {
  appId: 'org.relaydesk.app',
  productName: 'Relay Desk',
  executableName: 'relay-desk',
  copyright: 'Relay Desk',
  directories: {
    output: 'release',
    buildResources: 'build',
  },
  // everything the app runs is bundled into out/; node_modules would only add ~20 MB
  files: ['out/**/*', 'package.json', '!node_modules{,/**/*}'],
  extraResources: [{ from: 'resources', to: '.', filter: ['**/*'] }],
  asar: true,
  ...(electronDist ? { electronDist } : {}),
  // the shipped binary runs only this app, from its archive: no ELECTRON_RUN_AS_NODE, no
  // NODE_OPTIONS, no --inspect (anyone who can start it could otherwise run code as the app,
  // next to the station's encrypted hub token), and the archive is checked where supported
  electronFuses: {
    runAsNode: false,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    enableCookieEncryption: true,
  },

  linux: {
    target: ['AppImage', 'deb'],
    category: 'Office',
    synopsis: '接转办工作台 Relay Desk',
    description: 'Offline-first desk for 110 / 12345 non-police request diversion',
    maintainer: 'Relay Desk <relay-desk@localhost>',
    vendor: 'Relay Desk',
  },
  deb: {
    // secure settings use libsecret through safeStorage; notifications need a notification daemon
    depends: ['libgtk-3-0', 'libnotify4', 'libnss3', 'libxss1', 'libxtst6', 'xdg-utils', 'libatspi2.0-0', 'libuuid1', 'libsecret-1-0'],
  },
  win: {
    target: ['nsis'],
  },
  nsis: {
    oneClick: false,
    perMachine: false,
    allowToChangeInstallationDirectory: true,
    shortcutName: 'Relay Desk 接转办工作台',
  },
};

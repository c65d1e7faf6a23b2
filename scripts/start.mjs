// `npm start`: the desktop edition when an Electron binary is installed (build, then
// `electron-vite preview`), otherwise the browser edition (`npm run web`), saying why.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ELECTRON_MISSING_REASON, ELECTRON_OVERRIDE_HINT, electronBinaryPath } from './electron-binary.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const electronVite = path.join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');

/** Runs a command with inherited stdio; resolves with its exit code. */
function run(command, args, env = process.env) {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: root,
      env,
      stdio: 'inherit',
      shell: process.platform === 'win32' && !command.endsWith('.exe'),
    });
    const forward = (signal) => {
      if (child.exitCode === null) child.kill(signal);
    };
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('error', (error) => {
      console.error(`Cannot run ${command}: ${error.message}`);
      resolve(1);
    });
    child.on('close', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

function runNpmScript(script) {
  // Under `npm start`, npm_execpath is npm's own CLI script: run it with this Node.
  const npmCli = process.env.npm_execpath;
  if (npmCli && /\.(c|m)?js$/.test(npmCli)) return run(process.execPath, [npmCli, 'run', script]);
  return run(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', script]);
}

async function main() {
  const binary = electronBinaryPath();
  if (binary) {
    console.log(`Relay Desk: starting the desktop edition (Electron at ${binary}).`);
    const built = await run(process.execPath, [electronVite, 'build']);
    if (built !== 0) return built;
    // electron-vite looks for the binary through path.txt only; ELECTRON_EXEC_PATH also
    // covers ELECTRON_OVERRIDE_DIST_PATH.
    return run(process.execPath, [electronVite, 'preview', '--skipBuild'], { ...process.env, ELECTRON_EXEC_PATH: binary });
  }
  console.log(`Relay Desk: ${ELECTRON_MISSING_REASON}.`);
  console.log(`Relay Desk: ${ELECTRON_OVERRIDE_HINT}`);
  console.log('Relay Desk: starting the browser edition instead (npm run web).');
  return runNpmScript('web');
}

process.exitCode = await main();

/** `npm run hub:backup -- save|restore ...` (see cli/backup-commands.ts). */
import { runBackupCli } from './cli/backup-commands';

const code = await runBackupCli(process.argv.slice(2), process.env, {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
});
process.exit(code);

/** `npm run hub:calendar -- load|list ...` (see cli/calendar-commands.ts). */
import { runCalendarCli } from './cli/calendar-commands';

const code = await runCalendarCli(process.argv.slice(2), process.env, {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
});
process.exit(code);

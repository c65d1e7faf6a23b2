/** `npm run hub:station -- add|list|revoke|rotate ...` (see cli/station-commands.ts). */
import { runStationCli } from './cli/station-commands';

const code = await runStationCli(process.argv.slice(2), process.env, {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
});
process.exit(code);

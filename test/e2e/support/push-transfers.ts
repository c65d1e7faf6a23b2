/**
 * For end-to-end tests: a 110 station's transfers pushed straight to a hub, in batches of 500
 * (run with tsx, which reads the domain's JSON resources: Playwright's loader does not).
 *
 *   node --import tsx test/e2e/support/push-transfers.ts HUB_URL TOKEN STATION_ID NAME CASES
 *
 * Each case is created, screened and transferred to 12345. Prints the number of events pushed.
 */
import { API_PREFIX, PROTOCOL_VERSION } from '../../../src-common/protocol/v1';
import type { RelayEvent } from '../../../src-common/domain';
import { Desk, toHotline } from '../../hub/helpers/desk';

const [url, token, stationId, name, count] = process.argv.slice(2);
if (!url || !token || !stationId || !name || !count) throw new Error('usage: push-transfers.ts HUB_URL TOKEN STATION_ID NAME CASES');
const desk = Desk.of(stationId, 'police110', '兰山区', null, name);
const events: RelayEvent[] = [];
for (let i = 0; i < Number(count); i++) {
  const c = desk.created(`第 ${i} 件：小区停水，请供水公司处理`);
  events.push(c, desk.screened(c.caseId), desk.transferred(c.caseId, toHotline()));
}
for (let i = 0; i < events.length; i += 500) {
  const res = await fetch(`${url}${API_PREFIX}/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ protocol: PROTOCOL_VERSION, events: events.slice(i, i + 500) }),
  });
  if (res.status !== 200) throw new Error(`push ${res.status}: ${await res.text()}`);
}
process.stdout.write(`${events.length}\n`);

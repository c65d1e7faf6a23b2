/**
 * The registration CLI: straight on the database (hub stopped) and through a running hub's
 * admin API (HUB_URL + HUB_ADMIN_TOKEN). The token is printed once and works at once.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runStationCli } from '../../src-hub/cli/station-commands';
import { describeEachDriver, freshLocation } from './helpers/drivers';
import { ADMIN_TOKEN, request, startHub, type Hub } from './helpers/hub-harness';

async function cli(args: string[], env: NodeJS.ProcessEnv) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runStationCli(args, env, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

const ADD = ['add', '--id', 'p110-lanshan', '--name', '兰山110接警台', '--role', 'police110', '--district', '兰山区'];

describeEachDriver('hub:station CLI', (driver) => {
  let hub: Hub;
  let location: ReturnType<typeof freshLocation>;

  beforeAll(async () => {
    hub = await startHub(driver);
    location = freshLocation(driver);
  }, 120_000);
  afterAll(async () => {
    await hub?.close();
    await location?.cleanup();
  });

  it('directly on the database: add prints the token once; list, rotate, revoke', async () => {
    const env = { ...location.env };
    const added = await cli([...ADD, '--json'], env);
    expect(added.err).toEqual([]);
    expect(added.code).toBe(0);
    const { token, station } = JSON.parse(added.out.join('\n')) as { token: string; station: { stationId: string } };
    expect(station.stationId).toBe('p110-lanshan');
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const again = await cli(ADD, env);
    expect(again.code).toBe(1);
    expect(again.err.join('\n')).toContain('已登记');

    const unit = await cli(['add', '--id', 'unit-water', '--name', '供水抢修值班室', '--role', 'unit', '--district', '兰山区', '--department', 'water'], env);
    expect(unit.code).toBe(0);
    expect(unit.out[0]).toContain('unit-water');
    expect(unit.out.at(-1)).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const list = await cli(['list'], env);
    expect(list.code).toBe(0);
    expect(list.out.join('\n')).toMatch(/p110-lanshan\tpolice110\t兰山区/);
    expect(list.out.join('\n')).not.toContain(token);

    const rotated = await cli(['rotate', '--id', 'p110-lanshan'], env);
    expect(rotated.code).toBe(0);
    expect(rotated.out.at(-1)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(rotated.out.at(-1)).not.toBe(token);

    const revoked = await cli(['revoke', '--id', 'p110-lanshan'], env);
    expect(revoked.code).toBe(0);
    expect((await cli(['list'], env)).out.join('\n')).toMatch(/p110-lanshan.*已停用/);
  }, 60_000);

  it('through a running hub: the token works at once', async () => {
    const env = { HUB_URL: hub.url, HUB_ADMIN_TOKEN: ADMIN_TOKEN };
    const added = await cli(['add', '--id', 'sup-city', '--name', '市督办', '--role', 'supervisor', '--district', '全市'], env);
    expect(added.err).toEqual([]);
    expect(added.code).toBe(0);
    const token = added.out.at(-1)!;
    const me = await request(hub.url, 'GET', '/stations/me', { token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ stationId: 'sup-city', role: 'supervisor', district: '全市' });
    expect((await cli(['list', '--json'], env)).out.join('')).toContain('sup-city');
    const wrong = await cli(['list'], { HUB_URL: hub.url, HUB_ADMIN_TOKEN: 'wrong-admin-token-xxxxxxxx' });
    expect(wrong.code).toBe(1);
    expect(wrong.err.join('')).toContain('unauthorized');
  });

  it('says what is missing', async () => {
    const r = await cli(['add', '--id', 'x1'], { ...location.env });
    expect(r.code).toBe(2);
    expect(r.err.join('')).toContain('--name');
    expect((await cli(['explode'], {})).code).toBe(2);
    expect((await cli(['list'], { HUB_URL: hub.url })).err.join('')).toContain('HUB_ADMIN_TOKEN');
    const badRole = await cli(['add', '--id', 'x1-a', '--name', '某站点', '--role', 'boss', '--district', '兰山区'], { HUB_URL: hub.url, HUB_ADMIN_TOKEN: ADMIN_TOKEN });
    expect(badRole.code).toBe(1);
    expect(badRole.err.join('')).toContain('岗位');
  });
});

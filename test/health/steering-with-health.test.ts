import { afterEach, describe, expect, it } from 'vitest';
import type { HealthService } from '../../src/health/health-service.js';
import { ask } from '../support/dns-client.js';
import { serveWithHealth, startHealthServer, type FakeHealthServer } from '../support/health-servers.js';
import { waitFor } from '../support/poll.js';
import { exampleDocument, type TestServer } from '../support/test-server.js';

// min_up, per-endpoint filtering, drained regions and fail-open, seen through real DNS
// answers while real HTTP health endpoints flip between 200 and 503.

const TW = '1.34.5.0/24';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function healthServers(n: number): Promise<FakeHealthServer[]> {
  const servers = await Promise.all(Array.from({ length: n }, () => startHealthServer()));
  for (const s of servers) cleanups.push(() => s.close());
  return servers;
}

const url = (s: FakeHealthServer) => `http://127.0.0.1:${s.port}/healthz`;

async function serve(doc: Record<string, any>): Promise<{ server: TestServer; monitor: HealthService }> {
  doc.health = { interval: '150ms', timeout: '150ms', rise: 1, fall: 2, failback_hold_down: '0s', startup: 'wait_for_checks' };
  return serveWithHealth(doc, cleanups);
}

async function answer(server: TestServer, type: 'A' | 'AAAA' = 'A', ecs = TW): Promise<string> {
  const r = await ask(server.port, { name: 'api.example.com', type, ecs });
  expect(r.rcode).toBe(0);
  return r.answers.sort().join(',');
}

/** Taiwan with three IPv4 endpoints, each checked at its own server. */
function taiwanWithThree(servers: FakeHealthServer[], minUp: number): Record<string, any> {
  const doc = exampleDocument();
  doc.regions.taiwan = {
    endpoints: ['10', '11', '12'].map((last, i) => ({ name: `tw-${last}`, address: `198.51.100.${last}`, check: { url: url(servers[i]) } })),
    health: { min_up: minUp },
  };
  return doc;
}

describe('steering with live health', () => {
  it('answers only the healthy endpoints of a region', async () => {
    const s = await healthServers(3);
    const { server } = await serve(taiwanWithThree(s, 1));
    expect(await answer(server)).toBe('198.51.100.10,198.51.100.11,198.51.100.12');
    s[1].status = 503;
    await waitFor('tw-11 filtered', async () => (await answer(server)) === '198.51.100.10,198.51.100.12');
    s[0].status = 503;
    await waitFor('only tw-12', async () => (await answer(server)) === '198.51.100.12');
    s[0].status = 200;
    s[1].status = 200;
    await waitFor('all back', async () => (await answer(server)) === '198.51.100.10,198.51.100.11,198.51.100.12');
  });

  it('min_up: the region goes down when fewer than min_up endpoints are up', async () => {
    const s = await healthServers(3);
    const { server } = await serve(taiwanWithThree(s, 2));
    s[2].status = 503;
    await waitFor('tw-12 filtered', async () => (await answer(server)) === '198.51.100.10,198.51.100.11');
    s[1].status = 503;
    await waitFor('failover to tokyo', async () => (await answer(server)) === '198.51.100.30');
    const down = server.events.list({ type: 'region_down' })[0];
    expect(down).toMatchObject({ region: 'taiwan', cause: '1 of 3 endpoint(s) up, min_up 2' });
  });

  it('fail-open when every tier is down: the first tier answers, and entering and leaving are events', async () => {
    const [tw, jp] = await healthServers(2);
    const doc = exampleDocument();
    doc.regions.taiwan.health = { check: { url: url(tw) } };
    doc.regions.tokyo.health = { check: { url: url(jp) } };
    const { server } = await serve(doc);
    tw.status = 503;
    await waitFor('failover', async () => (await answer(server)) === '198.51.100.30');
    jp.status = 503;
    await waitFor('fail-open', () => server.events.list({ type: 'fail_open_entered' }).some((e) => e.detail?.rule === 'countries TW,HK,MO'));
    // Never SERVFAIL: the first tier answers with all its addresses.
    expect(await answer(server)).toBe('198.51.100.10');
    expect(await answer(server, 'AAAA')).toBe('2001:db8:1::10');
    jp.status = 200;
    await waitFor('fail-open left', () => server.events.list({ type: 'fail_open_left' }).some((e) => e.detail?.rule === 'countries TW,HK,MO'));
    expect(await answer(server)).toBe('198.51.100.30');
    const left = server.events.list({ type: 'fail_open_left' }).find((e) => e.detail?.rule === 'countries TW,HK,MO')!;
    expect(left.detail).toMatchObject({ from: ['taiwan'], to: ['tokyo'] });
  });

  it('a drained region is skipped even while healthy', async () => {
    const [tw] = await healthServers(1);
    const doc = exampleDocument();
    doc.regions.taiwan.health = { check: { url: url(tw) } };
    doc.regions.taiwan.drain = true;
    const { server, monitor } = await serve(doc);
    expect(monitor.report().find((r) => r.region === 'taiwan')!.up).toBe(true);
    expect(await answer(server)).toBe('198.51.100.30');
  });

  it('startup wait_for_checks: a region whose first check fails never takes traffic', async () => {
    const [tw] = await healthServers(1);
    tw.status = 500;
    const doc = exampleDocument();
    doc.regions.taiwan.health = { check: { url: url(tw) } };
    const { server, monitor } = await serve(doc);
    // start() resolved after the first round: the answer is already right.
    expect(monitor.report().find((r) => r.region === 'taiwan')!.state.phase).toBe('down');
    expect(await answer(server)).toBe('198.51.100.30');
    expect(server.events.list({ type: 'region_down' })[0].cause).toMatch(/^first checks: 0 of 2/);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import type { GeosteerEvent } from '../../src/events/event-log.js';
import { ask } from '../support/dns-client.js';
import { serveWithHealth, startHealthServer, startTcpServer } from '../support/health-servers.js';
import { waitFor } from '../support/poll.js';
import { exampleDocument, type TestServer } from '../support/test-server.js';

// Real HTTP and TCP servers on loopback go down and come back; a real DNS query with ECS
// shows where a client is sent. Short real intervals: the I/O is the point here.

const TAIWAN_V4 = '198.51.100.10';
const TOKYO_V4 = '198.51.100.30';
const HOLD_DOWN_MS = 800;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function healthDefaults() {
  return { interval: '100ms', timeout: '100ms', rise: 2, fall: 2, jitter: 0.1, failback_hold_down: `${HOLD_DOWN_MS}ms` };
}


async function answerFor(server: TestServer, ecs: string): Promise<string> {
  const r = await ask(server.port, { name: 'api.example.com', type: 'A', ecs });
  expect(r.rcode).toBe(0);
  return r.answers.join(',');
}

/** Events of the listed types, oldest first, that concern `region` or the rule `rule`. */
function story(events: GeosteerEvent[], region: string, rule: string): string[] {
  return events
    .slice()
    .reverse()
    .filter((e) => e.region === region || (e.detail as { rule?: string } | undefined)?.rule === rule)
    .map((e) => `${e.type} ${e.endpoint ?? e.region ?? `${(e.detail as { from: string[] }).from.join('+')}->${(e.detail as { to: string[] }).to.join('+')}`}`);
}

describe('failover over real checks and real DNS', () => {
  it('HTTP: a Taiwanese client moves to tokyo after `fall` failures and returns after `rise` good checks plus the hold-down', async () => {
    const taiwan = await startHealthServer();
    cleanups.push(() => taiwan.close());
    const doc = exampleDocument();
    doc.health = healthDefaults();
    doc.regions.taiwan.health = { check: { url: `http://127.0.0.1:${taiwan.port}/healthz`, host_header: 'api.example.com' } };
    const { server } = await serveWithHealth(doc, cleanups);
    const ecs = '1.34.5.0/24';
    expect(await answerFor(server, ecs)).toBe(TAIWAN_V4);
    expect(taiwan.requests[0]).toMatchObject({ method: 'GET', url: '/healthz', host: 'api.example.com' });

    await taiwan.stop();
    await waitFor('failover to tokyo', async () => (await answerFor(server, ecs)) === TOKYO_V4);
    const down = server.events.list({ type: 'endpoint_down' });
    expect(down[0].cause).toMatch(/^2 failed check\(s\) in a row: ECONNREFUSED/);

    await taiwan.restart();
    const before = taiwan.requests.length;
    await waitFor('taiwan endpoints up', () => server.events.list({ type: 'endpoint_up' }).length === 2);
    expect(taiwan.requests.length - before).toBeGreaterThanOrEqual(2); // rise 2
    // Up again by its checks, but held down: still tokyo.
    expect(await answerFor(server, ecs)).toBe(TOKYO_V4);
    await waitFor('failback to taiwan', async () => (await answerFor(server, ecs)) === TAIWAN_V4);

    const events = server.events.list({ limit: 1000 });
    expect(story(events, 'taiwan', 'countries TW,HK,MO')).toEqual([
      'endpoint_down tw-v4',
      'endpoint_down tw-v6',
      'region_down taiwan',
      'failover taiwan->tokyo',
      'endpoint_up tw-v4',
      'endpoint_up tw-v6',
      'region_up taiwan',
      'failback tokyo->taiwan',
    ]);
    const lastUp = server.events.list({ type: 'endpoint_up' })[0];
    const regionUp = server.events.list({ type: 'region_up' })[0];
    expect(regionUp.at - lastUp.at).toBeGreaterThanOrEqual(HOLD_DOWN_MS);
    expect(regionUp.cause).toContain(`${HOLD_DOWN_MS}ms hold-down`);
    const failover = server.events.list({ type: 'failover' }).find((e) => e.detail?.rule === 'countries TW,HK,MO')!;
    expect(failover.name).toBe('api.example.com');
    expect(failover.cause).toContain('taiwan -> tokyo');
  });

  it('TCP: a Japanese client moves from tokyo to taiwan and back', async () => {
    const tokyo = await startTcpServer();
    cleanups.push(() => tokyo.stop());
    const doc = exampleDocument();
    doc.health = healthDefaults();
    doc.regions.tokyo.health = { check: { type: 'tcp', host: '127.0.0.1', port: tokyo.port } };
    const { server } = await serveWithHealth(doc, cleanups);
    const ecs = '202.32.0.0/24';
    expect(await answerFor(server, ecs)).toBe(TOKYO_V4);
    expect(tokyo.accepted()).toBeGreaterThan(0);

    await tokyo.stop();
    await waitFor('failover to taiwan', async () => (await answerFor(server, ecs)) === TAIWAN_V4);
    await tokyo.restart();
    await waitFor('failback to tokyo', async () => (await answerFor(server, ecs)) === TOKYO_V4);
    expect(story(server.events.list({ limit: 1000 }), 'tokyo', 'countries JP,KR')).toEqual([
      'endpoint_down jp-v4',
      'endpoint_down jp-v6',
      'region_down tokyo',
      'failover tokyo->taiwan',
      'endpoint_up jp-v4',
      'endpoint_up jp-v6',
      'region_up tokyo',
      'failback taiwan->tokyo',
    ]);
  });
});

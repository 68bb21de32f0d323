import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALERTMANAGER_PATH } from '../../src/admin/alertmanager-route.js';
import type { HealthService } from '../../src/health/health-service.js';
import { ask } from '../support/dns-client.js';
import { waitFor } from '../support/poll.js';
import { exampleDocument, startServer, type TestServer } from '../support/test-server.js';

const TOKEN = 'test-token-0123456789abcdef';
const TW = '1.34.5.0/24';

let server: TestServer;
let monitor: HealthService;
let hooks: FastifyInstance;

// The service's own wiring: the admin server carries the webhook, the health service receives it.
async function setup(maxAge = '1h') {
  const doc = exampleDocument();
  doc.health = { failback_hold_down: '0s', alertmanager: { token: TOKEN, max_age: maxAge } };
  server = await startServer(doc);
  monitor = server.service.health;
  hooks = server.service.admin!;
}

afterEach(async () => {
  await server.close();
});

/** An Alertmanager v4 webhook body as Alertmanager sends it. */
function payload(alerts: { status: 'firing' | 'resolved'; labels: Record<string, string>; fingerprint?: string }[]) {
  return {
    version: '4',
    groupKey: '{}:{alertname="RegionDown"}',
    truncatedAlerts: 0,
    status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    receiver: 'geosteer',
    groupLabels: { alertname: 'RegionDown' },
    commonLabels: { alertname: 'RegionDown' },
    commonAnnotations: {},
    externalURL: 'http://127.0.0.1:9093',
    alerts: alerts.map((a, i) => ({
      status: a.status,
      labels: { alertname: 'RegionDown', ...a.labels },
      annotations: { summary: 'probe failing' },
      startsAt: '2026-11-22T10:00:00Z',
      endsAt: a.status === 'resolved' ? '2026-11-22T10:05:00Z' : '0001-01-01T00:00:00Z',
      generatorURL: 'http://127.0.0.1:9090/graph',
      fingerprint: a.fingerprint ?? `fp${i}`,
    })),
  };
}

/** Posts a webhook body; `auth` '' sends no Authorization header. */
function post(body: unknown, auth = `Bearer ${TOKEN}`, raw = false) {
  return hooks.inject({
    method: 'POST',
    url: ALERTMANAGER_PATH,
    headers: { 'content-type': 'application/json', ...(auth !== '' ? { authorization: auth } : {}) },
    payload: raw ? (body as string) : JSON.stringify(body),
  });
}

async function answer(ecs = TW): Promise<string> {
  return (await ask(server.port, { name: 'api.example.com', type: 'A', ecs })).answers.join(',');
}

/** Everything a post could change: health, steering and the event log. */
function observable() {
  return { report: JSON.stringify(monitor.report()), events: server.events.list({ limit: 1000 }).length, generation: server.snapshot().generation };
}

describe('Alertmanager webhook', () => {
  beforeEach(() => setup());

  it('a firing alert naming a region holds it down; resolving it brings it back', async () => {
    expect(await answer()).toBe('198.51.100.10');
    const fired = await post(payload([{ status: 'firing', labels: { region: 'taiwan' } }]));
    expect(fired.statusCode).toBe(200);
    expect(fired.json()).toEqual({ fired: [{ fingerprint: 'fp0', region: 'taiwan', endpoint: null }], resolved: [], refreshed: 0, ignored: [] });
    expect(await answer()).toBe('198.51.100.30');
    const types = server.events.list({ limit: 100 }).reverse().map((e) => e.type);
    expect(types.slice(0, 3)).toEqual(['alert_firing', 'region_down', 'failover']);

    // Alertmanager re-sends a firing alert every repeat_interval: a refresh, not a new event.
    expect((await post(payload([{ status: 'firing', labels: { region: 'taiwan' } }]))).json()).toMatchObject({ fired: [], refreshed: 1 });

    const resolved = await post(payload([{ status: 'resolved', labels: { region: 'taiwan' } }]));
    expect(resolved.json()).toMatchObject({ resolved: [{ fingerprint: 'fp0', region: 'taiwan' }] });
    expect(await answer()).toBe('198.51.100.10');
    expect(server.events.list({ limit: 100 }).reverse().map((e) => e.type).slice(-3 - 2)).toEqual(['alert_resolved', 'region_up', 'failback', 'failback', 'failback']);
  });

  it('grouped alerts: a region and an endpoint in one post, each applied', async () => {
    const res = await post(
      payload([
        { status: 'firing', labels: { region: 'taiwan' } },
        { status: 'firing', labels: { region: 'singapore/sg-v4', instance: 'sg' } },
        { status: 'firing', labels: { region: 'jp-v6' } },
      ]),
    );
    expect(res.statusCode).toBe(200);
    expect(res.json().fired).toEqual([
      { fingerprint: 'fp0', region: 'taiwan', endpoint: null },
      { fingerprint: 'fp1', region: 'singapore', endpoint: 'sg-v4' },
      { fingerprint: 'fp2', region: 'tokyo', endpoint: 'jp-v6' },
    ]);
    const status = server.snapshot().status;
    expect(status.get('taiwan')!.up).toBe(false);
    expect([...status.get('singapore')!.healthyEndpoints]).toEqual(['sg-v6']);
    expect(status.get('singapore')!.up).toBe(true); // min_up 1: sg-v6 is still up
    expect([...status.get('tokyo')!.healthyEndpoints]).toEqual(['jp-v4']);
    // Taiwan is held down; its clients go to tokyo, whose IPv6 endpoint is filtered out.
    expect(await answer()).toBe('198.51.100.30');
    expect((await ask(server.port, { name: 'api.example.com', type: 'AAAA', ecs: TW })).answers).toEqual(['2001:db8:3::30']);
  });

  it('an unknown region or a missing label is reported as ignored and changes nothing', async () => {
    const before = observable();
    const res = await post(payload([{ status: 'firing', labels: { region: 'mars' } }, { status: 'firing', labels: { cluster: 'x' } }]));
    expect(res.statusCode).toBe(200);
    expect(res.json().ignored).toEqual([
      { fingerprint: 'fp0', reason: expect.stringContaining('unknown region or endpoint "mars"; known regions: taiwan, singapore, tokyo, us-west') },
      { fingerprint: 'fp1', reason: 'no region label' },
    ]);
    expect(observable()).toEqual(before);
  });

  const rejected: [string, () => Promise<{ statusCode: number; body: string }>, number, RegExp][] = [
    ['no token', () => post(payload([{ status: 'firing', labels: { region: 'taiwan' } }]), ''), 401, /Bearer/],
    ['a wrong token', () => post(payload([{ status: 'firing', labels: { region: 'taiwan' } }]), 'Bearer test-token-0123456789abcdeX'), 401, /Bearer/],
    ['a token without "Bearer"', () => post(payload([{ status: 'firing', labels: { region: 'taiwan' } }]), TOKEN), 401, /Bearer/],
    ['bad JSON', () => post('{"version": "4", "alerts": [', `Bearer ${TOKEN}`, true), 400, /JSON/i],
    ['version 3', () => post({ ...payload([{ status: 'firing', labels: { region: 'taiwan' } }]), version: '3' }), 400, /version/],
    ['an alert without status', () => post({ ...payload([]), alerts: [{ labels: { region: 'taiwan' } }] }), 400, /alerts\.0\.status/],
    ['labels that are not strings', () => post({ ...payload([]), alerts: [{ status: 'firing', labels: { region: 7 } }] }), 400, /alerts\.0\.labels\.region/],
  ];
  for (const [label, send, status, message] of rejected) {
    it(`${label}: ${status}, and nothing changes`, async () => {
      const before = observable();
      const res = await send();
      expect(res.statusCode).toBe(status);
      expect(res.body).toMatch(message);
      expect(observable()).toEqual(before);
      expect(await answer()).toBe('198.51.100.10');
    });
  }

  it('a malformed alert anywhere in a post rejects the whole post', async () => {
    const before = observable();
    const body = payload([{ status: 'firing', labels: { region: 'taiwan' } }]);
    (body.alerts as unknown[]).push({ status: 'burning', labels: {} });
    expect((await post(body)).statusCode).toBe(400);
    expect(observable()).toEqual(before);
  });
});

describe('Alertmanager webhook: max_age', () => {
  beforeEach(() => setup('150ms'));

  it('a firing alert that is not re-sent stops counting after max_age', async () => {
    await post(payload([{ status: 'firing', labels: { region: 'taiwan' } }]));
    expect(await answer()).toBe('198.51.100.30');
    await waitFor('alert expiry', async () => (await answer()) === '198.51.100.10', 3000);
    const resolved = server.events.list({ type: 'alert_resolved' })[0];
    expect(resolved.cause).toMatch(/not re-sent within max_age/);
  });
});

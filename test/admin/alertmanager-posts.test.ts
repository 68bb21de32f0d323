import { afterEach, describe, expect, it } from 'vitest';
import { ALERTMANAGER_PATH } from '../../src/admin/alertmanager-route.js';
import { parseExposition, total } from '../metrics/exposition.js';
import { capturingLogger } from '../support/capturing-logger.js';
import { ask } from '../support/dns-client.js';
import { adminDocument, READ, startAdmin, type AdminHarness } from './admin-harness.js';

// Issue 15 item 3: Alertmanager sends a whole alert group in one post. Posts of its real size
// (hundreds of alerts, v4 webhook format) are accepted on both mounts (the admin server and
// the standalone listener); larger than health.alertmanager.max_body is refused with 413,
// and every refused post is counted and logged (at most once per 10 s per kind).

const TOKEN = 'alert-token-0123456789abcdef';
const REGIONS = ['taiwan', 'singapore', 'tokyo', 'us-west'];
const JAPAN = '202.32.0.0/24';

let h: AdminHarness;
let now = 1_700_000_000_000;
let lines: Record<string, any>[];
afterEach(() => h.close());

async function start(alertmanager: Record<string, unknown> = {}) {
  const doc = adminDocument();
  doc.health = { failback_hold_down: '0s', alertmanager: { token: TOKEN, ...alertmanager } };
  const captured = capturingLogger('warn');
  lines = captured.lines;
  h = await startAdmin(doc, { clock: () => now, log: captured.log, alertListen: '127.0.0.1:0' });
}

/**
 * One alert group as Alertmanager's webhook (version 4) sends it: an EndpointDown alert per
 * pod, with the labels and annotations a kube-prometheus rule carries; `regions` says which
 * region each alert names (round robin).
 */
function alertGroup(count: number, regions: readonly string[] = REGIONS) {
  const alerts = Array.from({ length: count }, (_, i) => {
    const region = regions[i % regions.length];
    const labels = { alertname: 'EndpointDown', region, namespace: 'api', pod: `api-${region}-7d9f8c6b5-${String(i).padStart(5, '0')}`, job: 'blackbox', instance: `https://${region}.api.example.com/healthz`, severity: 'critical', prometheus: 'monitoring/k8s' };
    return {
      status: 'firing',
      labels,
      annotations: {
        summary: `${labels.instance} fails its probe`,
        description: `probe_success{instance="${labels.instance}"} has been 0 for 2 minutes on ${labels.pod}`,
        runbook_url: 'https://runbooks.example.com/geosteer/endpoint-down',
      },
      startsAt: '2026-11-22T10:00:00.000Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: `http://prometheus.monitoring:9090/graph?g0.expr=probe_success%7Bjob%3D%22blackbox%22%2Cinstance%3D%22${encodeURIComponent(labels.instance)}%22%7D+%3D%3D+0&g0.tab=1`,
      fingerprint: (0x1000000000000000n + BigInt(i)).toString(16),
    };
  });
  return {
    receiver: 'geosteer',
    status: 'firing',
    alerts,
    groupLabels: { alertname: 'EndpointDown' },
    commonLabels: { alertname: 'EndpointDown', job: 'blackbox', severity: 'critical' },
    commonAnnotations: { runbook_url: 'https://runbooks.example.com/geosteer/endpoint-down' },
    externalURL: 'http://alertmanager.monitoring:9093',
    version: '4',
    groupKey: '{}/{severity="critical"}:{alertname="EndpointDown"}',
    truncatedAlerts: 0,
  };
}

/** Posts a body to one mount: the admin server (inject) or the standalone listener (real HTTP). */
async function post(mount: 'admin' | 'listener', body: string, auth = `Bearer ${TOKEN}`): Promise<{ status: number; json: any }> {
  const headers = { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) };
  if (mount === 'admin') {
    const r = await h.admin.inject({ method: 'POST', url: ALERTMANAGER_PATH, headers, payload: body });
    return { status: r.statusCode, json: r.json() };
  }
  const { host, port } = h.started.alerts!;
  const r = await fetch(`http://${host}:${port}${ALERTMANAGER_PATH}`, { method: 'POST', headers, body });
  return { status: r.status, json: await r.json() };
}

async function posts(result: string): Promise<number> {
  const r = await h.admin.inject({ method: 'GET', url: '/metrics', headers: READ });
  return total(parseExposition(r.body).samples, 'geosteer_alertmanager_posts_total', { result });
}

describe('Alertmanager posts of real size', () => {
  for (const mount of ['admin', 'listener'] as const) {
    it(`${mount}: a group of 400 alerts (v4 format) is accepted and applied`, async () => {
      await start();
      const body = JSON.stringify(alertGroup(400, ['tokyo', 'singapore']));
      expect(body.length).toBeGreaterThan(300_000); // what was refused at 16 KiB (35 alerts) before
      const r = await post(mount, body);
      expect(r.status).toBe(200);
      expect(r.json.fired).toHaveLength(400);
      expect(r.json.ignored).toEqual([]);
      expect(await posts('accepted')).toBe(1);
      // tokyo is held down: Japanese clients go to taiwan
      expect((await ask(h.port, { name: 'api.example.com', type: 'A', ecs: JAPAN })).answers).toEqual(['198.51.100.10']);
      expect(lines).toEqual([]);
    });
  }

  it('the largest post accepted is max_body: one byte more is 413 on both mounts, counted and logged', async () => {
    await start({ max_body: '256KiB' });
    const fitting = largestGroupWithin(256 * 1024);
    const body = JSON.stringify(alertGroup(fitting));
    // padded in a field geosteer does not read, to exactly max_body
    const padded = body.replace('"receiver":"geosteer"', `"receiver":"geosteer${'x'.repeat(256 * 1024 - Buffer.byteLength(body))}"`);
    expect(Buffer.byteLength(padded)).toBe(256 * 1024);
    for (const mount of ['admin', 'listener'] as const) expect((await post(mount, padded)).status).toBe(200);
    const over = padded.replace('"receiver":"geosteer', '"receiver":"geosteerx');
    for (const mount of ['admin', 'listener'] as const) {
      const r = await post(mount, over);
      expect(r).toEqual({ status: 413, json: { error: 'BAD_REQUEST', message: "body: larger than health.alertmanager.max_body (262144 bytes); raise max_body, or lower max_alerts in Alertmanager's webhook_configs" } });
    }
    expect(await posts('accepted')).toBe(2);
    expect(await posts('too_large')).toBe(2);
    // logged once per mount; another refusal within 10 s is counted into the next line
    const logged = () => lines.map((l) => [l.mount, l.refused, l.status, l.suppressed]);
    expect(logged()).toEqual([['admin', 'too_large', 413, 0], ['listener', 'too_large', 413, 0]]);
    expect(lines[0].msg).toContain('refused a post larger than health.alertmanager.max_body (262144 bytes): its alerts were not applied');
    await post('admin', over);
    expect(logged()).toHaveLength(2);
    now += 10_000;
    await post('admin', over);
    expect(logged()).toEqual([['admin', 'too_large', 413, 0], ['listener', 'too_large', 413, 0], ['admin', 'too_large', 413, 1]]);
    expect(await posts('too_large')).toBe(4);
  });

  it('the default max_body (4 MiB) takes about 5000 alerts', async () => {
    await start();
    const fitting = largestGroupWithin(4 * 1024 * 1024);
    expect(fitting).toBeGreaterThan(4500);
    const r = await post('listener', JSON.stringify(alertGroup(fitting)));
    expect(r.status).toBe(200);
    expect((await post('listener', JSON.stringify(alertGroup(fitting + 1)))).status).toBe(413);
  });
});

describe('refused posts are counted and logged', () => {
  const refusals: [string, 'admin' | 'listener', () => [string, string], number, string, string][] = [
    ['no token', 'admin', () => [JSON.stringify(alertGroup(1)), ''], 401, 'unauthorized', 'refused a post with no Authorization header'],
    ['a wrong token', 'listener', () => [JSON.stringify(alertGroup(1)), 'Bearer wrong-token-0123456789abcd'], 401, 'unauthorized', 'refused a post with a wrong token'],
    ['not JSON', 'admin', () => ['{"version": "4", "alerts": [', `Bearer ${TOKEN}`], 400, 'invalid', 'refused a post that is not JSON'],
    ['version 3', 'listener', () => [JSON.stringify({ ...alertGroup(1), version: '3' }), `Bearer ${TOKEN}`], 400, 'invalid', 'refused a post that is not a version 4 webhook payload: version'],
  ];
  for (const [label, mount, make, status, result, words] of refusals) {
    it(`${label} (${mount}): ${status}, counted as ${result}, logged`, async () => {
      await start();
        const [body, auth] = make();
      expect((await post(mount, body, auth)).status).toBe(status);
      expect(await posts(result)).toBe(1);
      expect(await posts('accepted')).toBe(0);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ level: 40, refused: result, status, from: '127.0.0.1', suppressed: 0 });
      expect(lines[0].msg).toContain(words);
    });
  }
});

/** The most alerts of alertGroup() whose JSON fits in `bytes`. */
function largestGroupWithin(bytes: number): number {
  let lo = 1;
  let hi = 8000;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (Buffer.byteLength(JSON.stringify(alertGroup(mid))) <= bytes) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

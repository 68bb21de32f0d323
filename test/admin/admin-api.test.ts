import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ask } from '../support/dns-client.js';
import { adminDocument, READ, startAdmin, WRITE, type AdminHarness } from './admin-harness.js';

const TOKYO_V4 = '198.51.100.30';
const TAIWAN_V4 = '198.51.100.10';
const SINGAPORE_V4 = '198.51.100.20';
const JAPAN = '202.32.0.0/24';
const TAIWAN = '1.34.5.0/24';
const SINGAPORE = '203.116.0.0/24';

let h: AdminHarness;
beforeEach(async () => {
  h = await startAdmin();
});
afterEach(() => h.close());

type Method = 'GET' | 'PUT' | 'DELETE' | 'POST';
async function call(method: Method, url: string, headers: Record<string, string> = READ, payload?: object) {
  const r = await h.admin.inject({ method, url, headers, payload });
  return { status: r.statusCode, body: r.headers['content-type']?.toString().startsWith('application/json') ? r.json() : r.body, headers: r.headers };
}
const answerFor = async (ecs: string) => (await ask(h.port, { name: 'api.example.com', type: 'A', ecs })).answers;

describe('regions', () => {
  it('GET /v1/regions lists every region with endpoints, health, weight and drain', async () => {
    const r = await call('GET', '/v1/regions');
    expect(r.status).toBe(200);
    expect(r.body.regions.map((x: { name: string }) => x.name)).toEqual(['taiwan', 'singapore', 'tokyo', 'us-west']);
    expect(r.body.regions[2]).toMatchObject({ name: 'tokyo', up: true, usable: true, weight: 100, drained: false, drain: null, endpoints: [{ id: 'jp-v4', address: TOKYO_V4, family: 4, up: true }, { id: 'jp-v6', family: 6 }] });
  });

  it('GET /v1/regions/:region shows the region and its last events; unknown region -> 404', async () => {
    await call('PUT', '/v1/regions/us-west/weight', WRITE, { weight: 40, reason: 'canary' });
    const r = await call('GET', '/v1/regions/us-west');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ name: 'us-west', weight: 40, configured_weight: 100, weight_override: 40 });
    expect(r.body.events[0]).toMatchObject({ type: 'audit', region: 'us-west' });
    const missing = await call('GET', '/v1/regions/mars');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: 'NOT_FOUND', message: expect.stringContaining('region "mars" is not configured; known regions: taiwan') });
  });

  it('a weight change is in the DNS answers as soon as the PUT returns (real UDP query)', async () => {
    // Singapore clients: group {singapore: 4, taiwan: 6}; rand 0.5 picks taiwan (0.5 * 10 = 5 >= 4).
    expect(await answerFor(SINGAPORE)).toEqual([TAIWAN_V4]);
    const r = await call('PUT', '/v1/regions/taiwan/weight', WRITE, { weight: 10, reason: 'shift SG traffic' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ region: 'taiwan', changed: true, before: { weight: 100 }, after: { weight: 10 } });
    // now singapore 4 : taiwan 0.6 -> 0.5 * 4.6 = 2.3 < 4 -> singapore
    expect(await answerFor(SINGAPORE)).toEqual([SINGAPORE_V4]);
    const reset = await call('DELETE', '/v1/regions/taiwan/weight?reason=done', WRITE);
    expect(reset.body).toMatchObject({ changed: true, after: { weight: 100, weight_override: null } });
    expect(await answerFor(SINGAPORE)).toEqual([TAIWAN_V4]);
  });

  it('audit entries carry the token name, time, before, after and reason', async () => {
    await call('PUT', '/v1/regions/us-west/weight', WRITE, { weight: 70, reason: 'capacity test' });
    const [entry] = h.events.list({ type: 'audit' });
    expect(entry.at).toBe(1_700_000_000_000); // the service's clock
    expect(entry.detail).toEqual({ token: 'ops-writer', via: 'token', from: '127.0.0.1', action: 'set weight', before: expect.objectContaining({ weight: 100 }), after: expect.objectContaining({ weight: 70 }), force: false, reason: 'capacity test' });
  });

  it('drain moves traffic to the next tier, undrain brings it back; both audited', async () => {
    expect(await answerFor(JAPAN)).toEqual([TOKYO_V4]);
    const drained = await call('PUT', '/v1/regions/tokyo/drain', WRITE, { reason: 'maintenance', force: true });
    expect(drained.status).toBe(200);
    expect(drained.body.after).toMatchObject({ drained: true, drain: { reason: 'maintenance', by: 'ops-writer', at: 1_700_000_000_000 } });
    expect(await answerFor(JAPAN)).toEqual([TAIWAN_V4]);
    // one drain, one rule moved: exactly one failover event, counted once
    const failovers = h.events.list({ type: 'failover' });
    expect(failovers).toHaveLength(1);
    expect(failovers[0]).toMatchObject({ name: 'api.example.com', detail: { rule: 'countries JP,KR', from: ['tokyo'], to: ['taiwan'], from_tier: 0, to_tier: 1 } });
    expect(failovers[0].cause).toBe('tokyo -> taiwan for countries JP,KR; state store; drain tokyo (by ops-writer: maintenance)');
    const metrics = (await call('GET', '/metrics')).body as string;
    expect(metrics).toContain('geosteer_failover_events_total{name="api.example.com",from="tokyo",to="taiwan"} 1\n');

    const undrained = await call('DELETE', '/v1/regions/tokyo/drain?reason=done', WRITE);
    expect(undrained.status).toBe(200);
    expect(undrained.body.after).toMatchObject({ drained: false, drain: null });
    expect(await answerFor(JAPAN)).toEqual([TOKYO_V4]);
    const audits = h.events.list({ type: 'audit', region: 'tokyo' });
    expect(audits.map((e) => [e.detail?.action, e.detail?.token, e.detail?.reason])).toEqual([
      ['undrain', 'ops-writer', 'done'],
      ['drain', 'ops-writer', 'maintenance'],
    ]);
  });

  it('refuses (409) to drain or zero the last usable region of a first tier; force overrides', async () => {
    const before = h.service.state.current();
    const drain = await call('PUT', '/v1/regions/tokyo/drain', WRITE, { reason: 'oops' });
    expect(drain.status).toBe(409);
    expect(drain.body).toMatchObject({ error: 'CONFLICT', stranded: { name: 'api.example.com', rule: 'countries JP,KR', first_tier: ['tokyo'] } });
    expect(drain.body.message).toContain('send "force": true');
    const zero = await call('PUT', '/v1/regions/taiwan/weight', WRITE, { weight: 0, reason: 'oops' });
    expect(zero.status).toBe(409);
    expect(zero.body.stranded.rule).toBe('countries TW,HK,MO');
    expect(h.service.state.current()).toBe(before);
    expect(h.events.list({ type: 'audit' })).toEqual([]);
    expect(await answerFor(TAIWAN)).toEqual([TAIWAN_V4]);

    // singapore shares its first tier with taiwan: draining it strands nobody
    expect((await call('PUT', '/v1/regions/singapore/drain', WRITE, { reason: 'fine' })).status).toBe(200);
    const forced = await call('PUT', '/v1/regions/taiwan/weight', WRITE, { weight: 0, force: true, reason: 'evacuate' });
    expect(forced.status).toBe(200);
    expect(await answerFor(TAIWAN)).toEqual([TOKYO_V4]);
  });

  it('a config-drained region cannot be undrained through the API (409)', async () => {
    const doc = adminDocument();
    doc.regions['us-west'].drain = true;
    await h.close();
    h = await startAdmin(doc);
    const r = await call('DELETE', '/v1/regions/us-west/drain?reason=x', WRITE);
    expect(r.status).toBe(409);
    expect(r.body.message).toContain('regions.us-west.drain: true');
  });
});

describe('bad requests change nothing', () => {
  const cases: [string, Method, string, Record<string, string>, object | undefined, number, string][] = [
    ['weight not a number', 'PUT', '/v1/regions/tokyo/weight', WRITE, { weight: 'heavy', reason: 'x' }, 400, 'weight: expected integer 0..100, got "heavy"'],
    ['weight too large', 'PUT', '/v1/regions/tokyo/weight', WRITE, { weight: 101, reason: 'x' }, 400, 'weight: expected integer 0..100, got 101'],
    ['weight fraction', 'PUT', '/v1/regions/tokyo/weight', WRITE, { weight: 2.5, reason: 'x' }, 400, 'weight: expected integer 0..100, got 2.5'],
    ['weight missing', 'PUT', '/v1/regions/tokyo/weight', WRITE, { reason: 'x' }, 400, 'weight: required field is missing'],
    ['weight without reason', 'PUT', '/v1/regions/tokyo/weight', WRITE, { weight: 5 }, 400, 'reason: required field is missing'],
    ['unknown field', 'PUT', '/v1/regions/tokyo/weight', WRITE, { weight: 5, reason: 'x', wieght: 5 }, 400, 'wieght: unknown field; allowed: weight, reason, force'],
    ['drain without reason', 'PUT', '/v1/regions/tokyo/drain', WRITE, {}, 400, 'reason: required field is missing'],
    ['empty reason', 'PUT', '/v1/regions/tokyo/drain', WRITE, { reason: '' }, 400, 'reason: expected non-empty string of at most 500 characters, got ""'],
    ['undrain without reason', 'DELETE', '/v1/regions/tokyo/drain', WRITE, undefined, 400, 'reason: required query parameter is missing'],
    ['unknown region', 'PUT', '/v1/regions/mars/weight', WRITE, { weight: 5, reason: 'x' }, 404, 'region "mars" is not configured'],
    ['unknown region drain', 'PUT', '/v1/regions/mars/drain', WRITE, { reason: 'x' }, 404, 'region "mars" is not configured'],
    ['no token', 'PUT', '/v1/regions/tokyo/weight', {}, { weight: 5 }, 401, 'missing bearer token'],
    ['wrong token', 'PUT', '/v1/regions/tokyo/weight', { authorization: 'Bearer nope-nope-nope-nope' }, { weight: 5 }, 401, 'unknown bearer token'],
    ['read token on a write', 'PUT', '/v1/regions/tokyo/weight', READ, { weight: 5 }, 403, 'token dashboard has scope read'],
    ['read token on reload', 'POST', '/v1/reload', READ, undefined, 403, 'needs a write token'],
    ['no token on a read', 'GET', '/v1/regions', {}, undefined, 401, 'missing bearer token'],
  ];
  for (const [label, method, url, headers, payload, status, message] of cases) {
    it(`${label} -> ${status}`, async () => {
      const before = h.service.state.current();
      const generation = h.snapshot().generation;
      const r = await call(method, url, headers, payload);
      expect(r.status).toBe(status);
      expect(r.body.message).toContain(message);
      expect(r.body.error).toBe({ 400: 'BAD_REQUEST', 401: 'UNAUTHORIZED', 403: 'FORBIDDEN', 404: 'NOT_FOUND' }[status]);
      expect(h.service.state.current()).toBe(before);
      expect(h.snapshot().generation).toBe(generation);
      expect(h.events.list({ type: 'audit' })).toEqual([]);
      if (status === 401) expect(r.headers['www-authenticate']).toBe('Bearer realm="geosteer"');
    });
  }
  it('unknown route -> 404 with a pointer to the OpenAPI document', async () => {
    const r = await call('GET', '/v1/nothing');
    expect(r.status).toBe(404);
    expect(r.body.message).toContain('/v1/openapi.json');
  });
});

describe('names, explain, events', () => {
  it('GET /v1/names lists policies with where each rule answers now', async () => {
    const r = await call('GET', '/v1/names');
    expect(r.status).toBe(200);
    const [api] = r.body.names;
    expect(api.name).toBe('api.example.com');
    expect(api.rules[1]).toMatchObject({ countries: ['SG', 'MY', 'PH', 'ID', 'TH', 'VN'], tiers: [{ singapore: 4, taiwan: 6 }, 'tokyo'], now: { tier: 0, regions: [{ region: 'singapore', share: 0.4 }, { region: 'taiwan', share: 0.6 }] } });
    expect(api.default).toMatchObject({ tiers: ['taiwan', 'tokyo'], now: { tier: 0, fail_open: false } });
  });

  it('GET /v1/names/:name gives each country its regions now; follows drains; unknown name -> 404', async () => {
    await call('PUT', '/v1/regions/tokyo/drain', WRITE, { reason: 'm', force: true });
    const r = await call('GET', '/v1/names/API.example.com.');
    expect(r.status).toBe(200);
    expect(r.body.countries.JP).toEqual({ rule: 'countries JP,KR', tier: 1, fail_open: false, regions: [{ region: 'taiwan', share: 1 }] });
    expect(r.body.continents.NA).toMatchObject({ tier: 0, regions: [{ region: 'us-west', share: 1 }] });
    expect(r.body.others).toMatchObject({ rule: 'default', tier: 0, regions: [{ region: 'taiwan', share: 1 }] });
    expect((await call('GET', '/v1/names/www.example.com')).status).toBe(404);
  });

  it('GET /v1/explain returns the trace and the CLI text; format=text is the CLI output', async () => {
    const r = await call('GET', `/v1/explain?name=api.example.com&client=${encodeURIComponent(JAPAN)}`);
    expect(r.status).toBe(200);
    expect(r.body.trace).toMatchObject({ chosen: 'tokyo', client: { country: 'JP' }, matched: { kind: 'country', key: 'JP' } });
    expect(r.body.text).toContain('chosen:   tokyo');
    const text = await call('GET', `/v1/explain?name=api.example.com&client=${encodeURIComponent(JAPAN)}&format=text`);
    expect(text.headers['content-type']).toContain('text/plain');
    expect(text.body).toBe(`${r.body.text}\n`);
    const bad = await call('GET', '/v1/explain?name=api.example.com&client=1.2.3.4/40');
    expect(bad).toMatchObject({ status: 400, body: { error: 'BAD_REQUEST', message: 'client: expected a prefix length 0..32, got "1.2.3.4/40"' } });
    expect((await call('GET', '/v1/explain?name=nope.example.com&client=1.2.3.4')).status).toBe(404);
    expect((await call('GET', '/v1/explain?client=1.2.3.4')).body.message).toBe('name: required query parameter is missing');
  });

  it('GET /v1/events pages newest first by cursor and filters by type and region', async () => {
    for (const w of [10, 20, 30]) await call('PUT', '/v1/regions/us-west/weight', WRITE, { weight: w, reason: `step ${w}` });
    const first = await call('GET', '/v1/events?type=audit&limit=2');
    expect(first.body.events.map((e: any) => e.detail.after.weight)).toEqual([30, 20]);
    expect(first.body.next_before).toBe(first.body.events[1].id);
    const second = await call('GET', `/v1/events?type=audit&limit=2&before=${first.body.next_before}`);
    expect(second.body.events.map((e: any) => e.detail.after.weight)).toEqual([10]);
    expect(second.body.next_before).toBeNull();
    expect((await call('GET', '/v1/events?region=tokyo')).body.events).toEqual([]);
    expect((await call('GET', '/v1/events?limit=0')).body.message).toBe('limit: expected integer 1..1000, got 0');
  });
});

describe('health, readiness, OpenAPI', () => {
  it('/healthz and /readyz are open by config; /metrics needs a token unless opened', async () => {
    expect((await call('GET', '/healthz', {})).body).toEqual({ status: 'ok' });
    expect((await call('GET', '/readyz', {})).body).toEqual({
      ready: true,
      config: true,
      geoip: true,
      listeners: true,
      geoip_generation: 1,
      state: { kind: 'memory', readiness: 'report', connected: true, writable: true, since: expect.any(Number), last_sync_at: expect.any(Number), reconnects: 0, last_error: null, reset: null },
      workers: [],
    });
    expect((await call('GET', '/metrics', {})).status).toBe(401);
    expect((await call('GET', '/metrics', READ)).status).toBe(200);
    await h.close();
    h = await startAdmin(adminDocument(['metrics']));
    expect((await call('GET', '/metrics', {})).status).toBe(200);
    expect((await call('GET', '/healthz', {})).status).toBe(401);
  });

  it('/v1/openapi.json documents every route with its schemas', async () => {
    const r = await call('GET', '/v1/openapi.json');
    expect(r.status).toBe(200);
    expect(r.body.openapi).toMatch(/^3\./);
    expect(Object.keys(r.body.paths).sort()).toEqual(
      ['/healthz', '/metrics', '/readyz', '/v1/alerts/alertmanager', '/v1/events', '/v1/explain', '/v1/names', '/v1/names/{name}', '/v1/regions', '/v1/regions/{region}', '/v1/regions/{region}/drain', '/v1/regions/{region}/weight', '/v1/reload', '/v1/state/reset', '/v1/sync'].sort(),
    );
    const put = r.body.paths['/v1/regions/{region}/weight'].put;
    expect(put.requestBody.content['application/json'].schema.properties.weight).toEqual({ type: 'integer', minimum: 0, maximum: 100 });
    expect(r.body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ask } from '../support/dns-client.js';
import { adminDocument, READ, startAdmin, WRITE, type AdminHarness } from './admin-harness.js';

const JAPAN = '202.32.0.0/24';
let h: AdminHarness;
beforeEach(async () => {
  h = await startAdmin();
});
afterEach(() => h.close());

const japanAnswer = async () => (await ask(h.port, { name: 'api.example.com', type: 'A', ecs: JAPAN })).answers;
const reloadCount = async (result: string) => {
  const text = (await h.metrics.render()).body;
  return Number(new RegExp(`^geosteer_config_reloads_total\\{result="${result}"\\} (\\d+)$`, 'm').exec(text)?.[1]);
};

describe('POST /v1/reload', () => {
  it('a good file: new answers right after the call', async () => {
    expect(await japanAnswer()).toEqual(['198.51.100.30']);
    const doc = adminDocument();
    doc.regions.tokyo.endpoints[0].address = '198.51.100.31';
    h.writeConfig(doc);
    const compiles = h.service.control.compiles;
    const r = await h.admin.inject({ method: 'POST', url: '/v1/reload', headers: WRITE, payload: { reason: 'test' } });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ reloaded: true, source: h.configPath, generation: 2, needs_restart: [] });
    expect(h.service.control.compiles).toBe(compiles + 1); // one reload, one compile
    expect(await japanAnswer()).toEqual(['198.51.100.31']);
    expect(await reloadCount('success')).toBe(1);
    expect(await reloadCount('failure')).toBe(0);
    const [audit] = h.events.list({ type: 'audit' });
    expect(audit.detail).toMatchObject({ token: 'ops-writer', action: 'reload', reason: 'test' });
  });

  it('a broken file: 422 with every problem, old answers kept', async () => {
    const doc = adminDocument();
    doc.regions.tokyo.endpoints[0].address = '198.51.100.31';
    doc.regions.tokyo.weight = 'heavy';
    doc.names[0].default = ['taiwan', 'atlantis'];
    h.writeConfig(doc);
    const generation = h.snapshot().generation;
    const r = await h.admin.inject({ method: 'POST', url: '/v1/reload', headers: WRITE, payload: { reason: 'test' } });
    expect(r.statusCode).toBe(422);
    const body = r.json();
    expect(body.error).toBe('CONFIG_INVALID');
    expect(body.problems).toEqual([expect.stringMatching(/^regions\.tokyo\.weight: expected number, got "heavy"/)]);
    expect(body.message).toContain('still serving the previous config');
    expect(h.snapshot().generation).toBe(generation);
    expect(await japanAnswer()).toEqual(['198.51.100.30']);
    expect(await reloadCount('failure')).toBe(1);
    expect(h.events.list({ type: 'config_rejected' })).toHaveLength(1);

    // cross-reference problems are reported too once the schema passes
    doc.regions.tokyo.weight = 100;
    h.writeConfig(doc);
    const second = await h.admin.inject({ method: 'POST', url: '/v1/reload', headers: WRITE, payload: { reason: 'test' } });
    expect(second.statusCode).toBe(422);
    expect(second.json().problems).toEqual([expect.stringContaining('names[0].default[1]: unknown region "atlantis"')]);
    expect(await japanAnswer()).toEqual(['198.51.100.30']);
  });

  it('a change that needs a restart is applied everywhere else and named by its config path', async () => {
    const doc = adminDocument();
    doc.dns.listen = ['127.0.0.1:5399'];
    doc.regions.tokyo.endpoints[0].address = '198.51.100.31';
    h.writeConfig(doc);
    const r = await h.admin.inject({ method: 'POST', url: '/v1/reload', headers: WRITE, payload: { reason: 'test' } });
    expect(r.statusCode).toBe(200);
    expect(r.json().needs_restart).toEqual([{ path: 'dns.listen', reason: 'the DNS sockets are bound at start' }]);
    expect(await japanAnswer()).toEqual(['198.51.100.31']);
    const [event] = h.events.list({ type: 'config_reloaded' });
    expect(event.detail).toMatchObject({ needs_restart: ['dns.listen'] });
    expect(event.cause).toContain('needs a restart: dns.listen');
  });

  it('admin listeners, trusted proxies and the webhook body limit wait for a restart, and say so', async () => {
    const doc = adminDocument();
    doc.admin.open_listen = '127.0.0.1:0';
    doc.admin.trusted_proxies = ['10.0.0.0/8'];
    doc.health = { alertmanager: { token: 'alert-token-0123456789abcdef', max_body: '8MiB' } };
    h.writeConfig(doc);
    const r = await h.admin.inject({ method: 'POST', url: '/v1/reload', headers: WRITE, payload: { reason: 'test' } });
    expect(r.json().needs_restart.map((n: { path: string }) => n.path)).toEqual(['admin.open_listen', 'admin.trusted_proxies', 'health.alertmanager.max_body']);
  });

  it('new admin tokens and open endpoints apply at once', async () => {
    const doc = adminDocument(['healthz', 'readyz', 'metrics']);
    doc.admin.tokens = [{ name: 'new-writer', scope: 'write', token: 'a-brand-new-secret-0123456789' }];
    h.writeConfig(doc);
    expect((await h.admin.inject({ method: 'POST', url: '/v1/reload', headers: WRITE, payload: { reason: 'test' } })).statusCode).toBe(200);
    expect((await h.admin.inject({ method: 'GET', url: '/v1/regions', headers: READ })).statusCode).toBe(401);
    expect((await h.admin.inject({ method: 'GET', url: '/v1/regions', headers: { authorization: 'Bearer a-brand-new-secret-0123456789' } })).statusCode).toBe(200);
    expect((await h.admin.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
  });

  it('a YAML syntax error or a missing file is refused the same way', async () => {
    h.writeConfig('zones: [\n');
    const r = await h.admin.inject({ method: 'POST', url: '/v1/reload', headers: WRITE, payload: { reason: 'test' } });
    expect(r.statusCode).toBe(422);
    expect(r.json().problems[0]).toMatch(/^YAML: /);
    expect((await h.admin.inject({ method: 'GET', url: '/v1/regions', headers: READ })).json().regions).toHaveLength(4);
  });
});

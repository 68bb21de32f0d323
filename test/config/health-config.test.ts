import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { resolveHealthPlan } from '../../src/config/health-checks.js';
import { exampleDocument, loadDocument, configProblems } from '../support/test-server.js';

const problemsOf = configProblems;

describe('health config', () => {
  it('the example config runs no checks: every region is always up', () => {
    const { plan } = resolveHealthPlan(loadDocument(exampleDocument()).config);
    expect(plan.hasChecks).toBe(false);
    expect(plan).toMatchObject({ holdDownMs: 60_000, jitter: 0.1, startup: 'assume_up' });
    expect([...plan.regions.values()].every((r) => r.minUp === 1 && r.endpoints.every((e) => e.check === undefined))).toBe(true);
  });

  it('the failover demo checks each region on loopback, interval 1s, timeout 500ms, rise 2, fall 2, hold-down 5s', () => {
    const loaded = loadDocument(parse(readFileSync('config/geosteer.failover-demo.yaml', 'utf8')));
    const { plan } = resolveHealthPlan(loaded.config);
    expect(plan.holdDownMs).toBe(5000);
    const targets = Object.fromEntries([...plan.regions.values()].map((r) => [r.region, r.endpoints.map((e) => e.check && `${e.check.kind}://${e.check.host}:${e.check.port}${e.check.path}`)]));
    expect(targets).toEqual({
      taiwan: ['http://127.0.0.1:18081/healthz', 'http://127.0.0.1:18081/healthz'],
      singapore: ['http://127.0.0.1:18082/healthz', 'http://127.0.0.1:18082/healthz'],
      tokyo: ['http://127.0.0.1:18083/healthz', 'http://127.0.0.1:18083/healthz'],
      'us-west': ['http://127.0.0.1:18084/healthz', 'http://127.0.0.1:18084/healthz'],
    });
    for (const r of plan.regions.values()) for (const e of r.endpoints) expect(e.check).toMatchObject({ intervalMs: 1000, timeoutMs: 500, rise: 2, fall: 2, verifyTls: true, expectStatus: { min: 200, max: 399 } });
    // the answered addresses stay the public ones
    expect(loaded.model.regions.get('taiwan')!.endpoints.map((e) => e.address)).toEqual(['198.51.100.10', '2001:db8:1::10']);
  });

  it('defaults, region check and per-endpoint overrides combine field by field', () => {
    const doc = exampleDocument();
    doc.regions.taiwan.health = { check: { url: 'https://127.0.0.1:8443/healthz?full=1', host_header: 'api.example.com', body_contains: 'ok', fall: 5 }, min_up: 2 };
    doc.regions.taiwan.endpoints[1].check = { timeout: '1s', verify_tls: false };
    doc.regions.tokyo.endpoints[0].check = { type: 'tcp', host: '127.0.0.1', port: 9000 };
    const { plan } = resolveHealthPlan(loadDocument(doc).config);
    const [v4, v6] = plan.regions.get('taiwan')!.endpoints;
    expect(v4.check).toMatchObject({ kind: 'https', host: '127.0.0.1', port: 8443, path: '/healthz?full=1', hostHeader: 'api.example.com', servername: 'api.example.com', bodyContains: 'ok', verifyTls: true, intervalMs: 10_000, timeoutMs: 2000, rise: 2, fall: 5 });
    expect(v6.check).toMatchObject({ kind: 'https', port: 8443, timeoutMs: 1000, verifyTls: false, fall: 5 });
    expect(plan.regions.get('taiwan')!.minUp).toBe(2);
    expect(plan.regions.get('tokyo')!.endpoints.map((e) => e.check?.kind)).toEqual(['tcp', undefined]);
    // a TCP check and an unchecked endpoint in the same region: the unchecked one is always up
    expect(plan.hasChecks).toBe(true);
  });

  const bad: [string, (doc: Record<string, any>) => void, string][] = [
    ['min_up above the endpoint count', (d) => (d.regions.taiwan.health = { min_up: 3 }), "regions.taiwan.health.min_up: 3 is more than the region's 2 endpoint(s); lower min_up or add endpoints"],
    ['a tcp check without a port', (d) => (d.regions.taiwan.health = { check: { type: 'tcp' } }), 'regions.taiwan.health.check: a tcp check needs a port (or a url)'],
    ['a check without type or url', (d) => (d.regions.taiwan.endpoints[0].check = { path: '/x' }), 'regions.taiwan.endpoints[0].check: set type (http, https or tcp) or a url'],
    ['type and url scheme disagree', (d) => (d.regions.taiwan.health = { check: { type: 'https', url: 'http://127.0.0.1/' } }), 'regions.taiwan.health.check: type https does not match the url scheme http'],
    ['a timeout longer than the interval', (d) => (d.regions.tokyo.health = { check: { url: 'http://127.0.0.1:1/', interval: '1s', timeout: '2s' } }), 'regions.tokyo.health.check: timeout (2000ms) must be more than 0 and at most the interval (1000ms)'],
    ['body_contains on a tcp check', (d) => (d.regions.tokyo.health = { check: { type: 'tcp', port: 1, body_contains: 'x' } }), 'regions.tokyo.health.check: body_contains and expect_status apply to http(s) checks, not tcp'],
    ['a reversed status range', (d) => (d.regions.tokyo.health = { check: { url: 'http://127.0.0.1/', expect_status: '399-200' } }), 'regions.tokyo.health.check.expect_status: expected a status or range like "200" or "200-399" (100..599, low first), got "399-200"'],
    ['a url that is not http(s)', (d) => (d.regions.tokyo.health = { check: { url: 'ftp://127.0.0.1/' } }), 'regions.tokyo.health.check.url: expected an http:// or https:// URL like http://10.0.0.1:8080/healthz, got "ftp://127.0.0.1/"'],
    ['an unknown check key', (d) => (d.regions.tokyo.health = { check: { url: 'http://127.0.0.1/', retries: 3 } }), 'regions.tokyo.health.check: unknown key "retries"'],
    ['an unknown startup mode', (d) => (d.health = { startup: 'optimistic' }), 'health.startup: expected one of "assume_up", "wait_for_checks", got "optimistic"'],
    ['alertmanager without a token', (d) => (d.health = { alertmanager: { label: 'region' } }), 'health.alertmanager: set token or token_env; the webhook is never served without a bearer token'],
    ['alertmanager with a short token', (d) => (d.health = { alertmanager: { token: 'short' } }), 'health.alertmanager.token: expected string to have >=16 characters, got "short"'],
  ];
  for (const [label, change, message] of bad) {
    it(`rejects ${label}`, () => expect(problemsOf(change)).toEqual([message]));
  }
});

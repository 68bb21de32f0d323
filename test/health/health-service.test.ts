import { afterEach, describe, expect, it } from 'vitest';
import { buildService } from '../../src/service/build-service.js';
import { ConfigError } from '../../src/shared/errors.js';
import { ask } from '../support/dns-client.js';
import { startHealthServer } from '../support/health-servers.js';
import { exampleDocument, loadDocument, startServer, testDeps, type TestServer } from '../support/test-server.js';

// Health as the service wires it: checks, the standalone webhook listener on a real socket,
// and the refusal to start when a secret is missing.

const TOKEN = 'service-token-0123456789';
let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('health in the service', () => {
  it('runs nothing for a config without checks or alertmanager', async () => {
    server = await startServer();
    expect(server.service.health.report()).toEqual([]);
    expect(server.service.health.alertToken).toBeUndefined();
    expect(server.started.alerts).toBeUndefined();
  });

  it('refuses to build when token_env names an unset variable', async () => {
    const doc = exampleDocument();
    doc.health = { alertmanager: { token_env: 'GEOSTEER_TEST_UNSET_TOKEN' } };
    await expect(buildService(loadDocument(doc), await testDeps({ env: {} }))).rejects.toThrow(
      new ConfigError('test.yaml', ['health.alertmanager.token_env: environment variable GEOSTEER_TEST_UNSET_TOKEN is not set; export it or set health.alertmanager.token']),
    );
  });

  it('wait_for_checks: start() resolves after the first checks; the webhook listens on its own port with the token from the environment', async () => {
    const tw = await startHealthServer();
    try {
      tw.status = 503;
      const doc = exampleDocument();
      doc.health = { interval: '1s', timeout: '1s', startup: 'wait_for_checks', alertmanager: { token_env: 'GEOSTEER_TEST_TOKEN', listen: '127.0.0.1:0' } };
      doc.regions.taiwan.health = { check: { url: `http://127.0.0.1:${tw.port}/healthz` } };
      server = await startServer(doc, { env: { GEOSTEER_TEST_TOKEN: TOKEN } });
      // Already decided when start() resolves: a Taiwanese client goes to tokyo.
      expect((await ask(server.port, { name: 'api.example.com', ecs: '1.34.5.0/24' })).answers).toEqual(['198.51.100.30']);

      const { port } = server.started.alerts!;
      const url = `http://127.0.0.1:${port}/v1/alerts/alertmanager`;
      const body = JSON.stringify({ version: '4', status: 'firing', alerts: [{ status: 'firing', labels: { alertname: 'Down', region: 'tokyo' }, fingerprint: 'a1' }] });
      const denied = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(denied.status).toBe(401);
      const ok = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body });
      expect(ok.status).toBe(200);
      // taiwan failed its checks and tokyo is held down by the alert: fail open to taiwan.
      expect((await ask(server.port, { name: 'api.example.com', ecs: '1.34.5.0/24' })).answers).toEqual(['198.51.100.10']);
      expect(server.events.list({ type: 'fail_open_entered' }).map((e) => e.detail?.rule)).toEqual(['default', 'countries JP,KR', 'countries TW,HK,MO']);
    } finally {
      await tw.close();
    }
  });

  it('a real check run feeds the check-duration histogram', async () => {
    const tw = await startHealthServer();
    try {
      const doc = exampleDocument();
      doc.health = { interval: '1s', timeout: '1s', startup: 'wait_for_checks' };
      doc.regions.taiwan.health = { check: { url: `http://127.0.0.1:${tw.port}/healthz` } };
      server = await startServer(doc);
      const text = (await server.service.metrics.render()).body;
      // two endpoints share one target: one probe, one sample each
      expect(text).toContain('geosteer_health_check_duration_seconds_count{region="taiwan",result="success"} 2\n');
      expect(tw.requests).toHaveLength(1);
    } finally {
      await tw.close();
    }
  });
});

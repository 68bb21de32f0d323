import { afterEach, describe, expect, it } from 'vitest';
import { startHealthService, type HealthService } from '../../src/health/health-service.js';
import { ConfigError } from '../../src/shared/errors.js';
import { silentLogger } from '../../src/shared/logger.js';
import { ask } from '../support/dns-client.js';
import { startHealthServer } from '../support/health-servers.js';
import { exampleDocument, loadDocument, startServer, type TestServer } from '../support/test-server.js';

// The wiring the CLI uses: checks plus the standalone webhook listener on a real socket.

const TOKEN = 'service-token-0123456789';
let server: TestServer | undefined;
let service: HealthService | undefined;
afterEach(async () => {
  await service?.close();
  await server?.close();
  service = undefined;
  server = undefined;
});

describe('startHealthService', () => {
  it('runs nothing for a config without checks or alertmanager', async () => {
    server = await startServer();
    service = await startHealthService(server.app.config, server.app, silentLogger());
    expect(service.monitor).toBeUndefined();
    expect(service.alerts).toBeUndefined();
  });

  it('refuses to start when token_env names an unset variable', async () => {
    const doc = exampleDocument();
    doc.health = { alertmanager: { token_env: 'GEOSTEER_TEST_UNSET_TOKEN' } };
    server = await startServer(doc);
    await expect(startHealthService(server.app.config, server.app, silentLogger(), {})).rejects.toThrow(
      new ConfigError('test.yaml', ['health.alertmanager.token_env: environment variable GEOSTEER_TEST_UNSET_TOKEN is not set; export it or set health.alertmanager.token']),
    );
  });

  it('wait_for_checks: resolves after the first checks; the webhook listens on its own port with the token from the environment', async () => {
    const tw = await startHealthServer();
    try {
      tw.status = 503;
      const doc = exampleDocument();
      doc.health = { interval: '1s', timeout: '1s', startup: 'wait_for_checks', alertmanager: { token_env: 'GEOSTEER_TEST_TOKEN', listen: '127.0.0.1:0' } };
      doc.regions.taiwan.health = { check: { url: `http://127.0.0.1:${tw.port}/healthz` } };
      server = await startServer(doc);
      service = await startHealthService(loadDocument(doc), server.app, silentLogger(), { GEOSTEER_TEST_TOKEN: TOKEN });
      // Already decided when the promise resolves: a Taiwanese client goes to tokyo.
      expect((await ask(server.port, { name: 'api.example.com', ecs: '1.34.5.0/24' })).answers).toEqual(['198.51.100.30']);

      const { port } = service.alerts!.address;
      const url = `http://127.0.0.1:${port}/v1/alerts/alertmanager`;
      const body = JSON.stringify({ version: '4', status: 'firing', alerts: [{ status: 'firing', labels: { alertname: 'Down', region: 'tokyo' }, fingerprint: 'a1' }] });
      const denied = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(denied.status).toBe(401);
      const ok = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body });
      expect(ok.status).toBe(200);
      // taiwan failed its checks and tokyo is held down by the alert: fail open to taiwan.
      expect((await ask(server.port, { name: 'api.example.com', ecs: '1.34.5.0/24' })).answers).toEqual(['198.51.100.10']);
      expect(server.app.events.list({ type: 'fail_open_entered' }).map((e) => e.detail?.rule)).toContain('countries TW,HK,MO');
    } finally {
      await tw.close();
    }
  });
});

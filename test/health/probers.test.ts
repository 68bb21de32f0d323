import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckSpec } from '../../src/config/health-checks.js';
import { probeHttp } from '../../src/health/http-prober.js';
import { probeTcp } from '../../src/health/tcp-prober.js';
import { startHealthServer, startTcpServer, type FakeHealthServer } from '../support/health-servers.js';

function spec(over: Partial<CheckSpec>): CheckSpec {
  return {
    kind: 'http',
    host: '127.0.0.1',
    port: 1,
    path: '/healthz',
    method: 'GET',
    hostHeader: undefined,
    servername: undefined,
    expectStatus: { min: 200, max: 399 },
    bodyContains: undefined,
    verifyTls: true,
    intervalMs: 5000,
    timeoutMs: 3000, // generous: only the timeout test waits for it
    rise: 2,
    fall: 3,
    key: 'test',
    ...over,
  };
}

describe('HTTP prober against a real server', () => {
  let server: FakeHealthServer;
  beforeAll(async () => {
    server = await startHealthServer();
  });
  afterAll(() => server.close());

  const cases: [string, number, string, Partial<CheckSpec>, boolean, RegExp][] = [
    ['200 in the default 200-399', 200, 'ok', {}, true, /status 200/],
    ['302 in the default range', 302, '', {}, true, /status 302/],
    ['503 outside the default range', 503, 'ok', {}, false, /status 503, expected 200-399/],
    ['204 outside an explicit 200-200', 204, '', { expectStatus: { min: 200, max: 200 } }, false, /status 204, expected 200-200/],
    ['404 inside an explicit 400-404', 404, '', { expectStatus: { min: 400, max: 404 } }, true, /status 404/],
    ['body contains the substring', 200, '{"status":"serving"}', { bodyContains: '"serving"' }, true, /body contains/],
    ['body lacks the substring', 200, '{"status":"degraded"}', { bodyContains: '"serving"' }, false, /body does not contain "\\"serving\\""/],
    ['a wrong status fails before the body is read', 500, 'serving', { bodyContains: 'serving' }, false, /status 500/],
  ];
  for (const [label, status, body, over, ok, detail] of cases) {
    it(label, async () => {
      server.status = status;
      server.body = body;
      const obs = await probeHttp(spec({ port: server.port, ...over }));
      expect(obs.ok).toBe(ok);
      expect(obs.detail).toMatch(detail);
    });
  }

  it('sends the method, path and Host header it is told to', async () => {
    server.status = 200;
    const n = server.requests.length;
    await probeHttp(spec({ port: server.port, method: 'HEAD', path: '/ready?deep=1', hostHeader: 'api.example.com' }));
    expect(server.requests.slice(n)).toEqual([{ method: 'HEAD', url: '/ready?deep=1', host: 'api.example.com' }]);
  });

  it('fails with ECONNREFUSED when nothing listens', async () => {
    const gone = await startHealthServer();
    await gone.stop();
    const obs = await probeHttp(spec({ port: gone.port }));
    expect(obs).toMatchObject({ ok: false });
    expect(obs.detail).toMatch(/ECONNREFUSED/);
  });

  it('fails after the timeout when the server accepts but never answers', async () => {
    const silent = await startTcpServerThatHangs();
    try {
      const started = Date.now();
      const obs = await probeHttp(spec({ port: silent.port, timeoutMs: 150 }));
      expect(obs).toEqual({ ok: false, detail: 'timeout after 150ms' });
      expect(Date.now() - started).toBeLessThan(1500);
    } finally {
      await silent.close();
    }
  });
});

async function startTcpServerThatHangs(): Promise<{ port: number; close(): Promise<void> }> {
  const { createServer } = await import('node:net');
  const sockets = new Set<net.Socket>();
  const server = createServer((s) => {
    sockets.add(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

describe('HTTPS prober against a self-signed server', () => {
  let dir: string;
  let server: https.Server;
  let port: number;
  const sniSeen: (string | false)[] = [];
  beforeAll(async () => {
    // A throwaway self-signed certificate for api.example.com, made at test time.
    dir = mkdtempSync(join(tmpdir(), 'geosteer-tls-'));
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
      '-subj', '/CN=api.example.com', '-addext', 'subjectAltName=DNS:api.example.com',
    ], { stdio: 'ignore' });
    server = https.createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (_req, res) => res.writeHead(200).end('ok'));
    server.on('secureConnection', (s: tls.TLSSocket) => sniSeen.push((s as tls.TLSSocket & { servername: string | false }).servername));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails with verification on (the default)', async () => {
    const obs = await probeHttp(spec({ kind: 'https', port, servername: 'api.example.com' }));
    expect(obs.ok).toBe(false);
    expect(obs.detail).toMatch(/SELF_SIGNED|self.signed/i);
  });

  it('passes with verify_tls off, and sends the configured SNI', async () => {
    const n = sniSeen.length;
    const obs = await probeHttp(spec({ kind: 'https', port, verifyTls: false, servername: 'api.example.com', bodyContains: 'ok' }));
    expect(obs).toMatchObject({ ok: true });
    expect(sniSeen.slice(n)).toEqual(['api.example.com']);
  });
});

describe('TCP prober', () => {
  it('passes while a listener accepts and fails with ECONNREFUSED after it stops', async () => {
    const server = await startTcpServer();
    const check = spec({ kind: 'tcp', port: server.port, path: '' });
    expect(await probeTcp(check)).toEqual({ ok: true, detail: 'connected' });
    await server.stop();
    const obs = await probeTcp(check);
    expect(obs.ok).toBe(false);
    expect(obs.detail).toMatch(/ECONNREFUSED/);
  });
});

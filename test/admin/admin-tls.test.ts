import { copyFileSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { connect } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/shared/errors.js';
import { capturingLogger } from '../support/capturing-logger.js';
import { waitFor } from '../support/poll.js';
import { describeWithTool } from '../support/system-tool.js';
import { strangerCertificate, testCa, type CertificateFiles, type TestCa } from '../support/test-certificates.js';
import { adminDocument, READ, startAdmin, WRITE, type AdminHarness } from './admin-harness.js';

// Issue 15 item 10: the admin API over the network. HTTPS from admin.tls (the certificate
// follows file changes and config reloads), client certificates that act like tokens, a
// warning when the API listens beyond loopback in clear text, and admin.open_listen for
// probes and Prometheus. Certificates come from openssl, made for each run.

let ca: TestCa;
let server: CertificateFiles;
let renewed: CertificateFiles;
let opsClient: CertificateFiles;
let viewerClient: CertificateFiles;
let unlistedClient: CertificateFiles;
let strangerClient: CertificateFiles;
let h: AdminHarness | undefined;
let lines: Record<string, any>[] = [];

/** The files the config points at: copies of `server`, so a test can replace them. */
let live: CertificateFiles;

function tlsDocument(): Record<string, any> {
  const doc = adminDocument();
  doc.admin.tls = {
    cert_file: live.cert,
    key_file: live.key,
    client_ca_file: ca.cert,
    client_certificates: [
      { name: 'ops-laptop', scope: 'write', common_name: 'ops.example.com' },
      { name: 'grafana-host', scope: 'read', common_name: 'grafana.example.com' },
    ],
  };
  return doc;
}

async function start(doc: Record<string, any>, listen = '127.0.0.1:0'): Promise<AdminHarness> {
  const captured = capturingLogger('info');
  lines = captured.lines;
  h = await startAdmin(doc, { adminListen: listen, adminTlsPollMs: 20, log: captured.log });
  return h;
}

/** An HTTPS request to the admin server, trusting the test CA; `client` presents a certificate. */
function https(path: string, opts: { method?: string; headers?: Record<string, string>; body?: unknown; client?: CertificateFiles } = {}): Promise<{ status: number; body: any }> {
  const { port } = h!.started.admin!;
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: opts.method ?? 'GET',
        ca: readFileSync(ca.cert),
        ...(opts.client ? { cert: readFileSync(opts.client.cert), key: readFileSync(opts.client.key) } : {}),
        headers: { ...(payload ? { 'content-type': 'application/json' } : {}), ...opts.headers },
        agent: false,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode!, body: text.startsWith('{') ? JSON.parse(text) : text }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** The subject CN of the certificate the admin server presents now. */
function servedCn(): Promise<string> {
  const { port } = h!.started.admin!;
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca: readFileSync(ca.cert) }, () => {
      resolve(String(socket.getPeerCertificate().subject.CN));
      socket.end();
    });
    socket.on('error', reject);
  });
}

describeWithTool('admin API over TLS', { command: 'openssl', versionArgs: ['version'], apt: 'openssl' }, () => {
  beforeAll(() => {
    ca = testCa();
    server = ca.issue('server', 'geosteer-admin', { san: 'IP:127.0.0.1' });
    renewed = ca.issue('renewed', 'geosteer-admin-renewed', { san: 'IP:127.0.0.1' });
    opsClient = ca.issue('ops', 'ops.example.com', { client: true });
    viewerClient = ca.issue('viewer', 'grafana.example.com', { client: true });
    unlistedClient = ca.issue('unlisted', 'someone.example.com', { client: true });
    strangerClient = strangerCertificate(ca.dir, 'ops.example.com');
  });
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });
  afterAll(() => ca?.remove());

  function freshLive(): void {
    live = { cert: `${ca.dir}/live.crt`, key: `${ca.dir}/live.key` };
    copyFileSync(server.cert, live.cert);
    copyFileSync(server.key, live.key);
  }

  it('serves HTTPS with the configured certificate; bearer tokens work as over HTTP', async () => {
    freshLive();
    await start(tlsDocument());
    expect(await servedCn()).toBe('geosteer-admin');
    expect(await https('/readyz')).toMatchObject({ status: 200, body: { ready: true } });
    expect((await https('/v1/regions', { headers: READ })).status).toBe(200);
    expect((await https('/v1/regions')).status).toBe(401);
    const plain = await fetch(`http://127.0.0.1:${h!.started.admin!.port}/healthz`).then((r) => r.status, (err: Error) => err.message);
    expect(plain).not.toBe(200);
    expect(lines.find((l) => l.msg === 'admin API listening')).toMatchObject({ tls: true, client_certificates: true });
  });

  it('a verified client certificate listed in admin.tls acts as its name and scope, audited as such', async () => {
    freshLive();
    await start(tlsDocument());
    const put = await https('/v1/regions/us-west/weight', { method: 'PUT', body: { weight: 30, reason: 'from the laptop' }, client: opsClient });
    expect(put.status).toBe(200);
    expect(h!.events.list({ type: 'audit' })[0].detail).toMatchObject({ token: 'ops-laptop', via: 'client_certificate', from: '127.0.0.1', reason: 'from the laptop' });
    expect((await https('/v1/regions', { client: viewerClient })).status).toBe(200);
    const forbidden = await https('/v1/regions/us-west/weight', { method: 'PUT', body: { weight: 30, reason: 'x' }, client: viewerClient });
    expect(forbidden).toMatchObject({ status: 403, body: { message: 'client certificate grafana-host has scope read; PUT /v1/regions/:region/weight needs a write token' } });
    // signed by the CA but not listed; listed CN but signed by nobody we trust: no identity
    expect((await https('/v1/regions', { client: unlistedClient })).status).toBe(401);
    expect((await https('/v1/regions', { client: strangerClient })).status).toBe(401);
    // an Authorization header decides when it comes, certificate or not
    expect((await https('/v1/regions', { client: opsClient, headers: { authorization: 'Bearer wrong-wrong-wrong-wrong' } })).status).toBe(401);
    expect(h!.events.list({ type: 'audit' })).toHaveLength(1);
  });

  it('a replaced certificate file is served without a restart; a broken one is refused and the old one stays', async () => {
    freshLive();
    await start(tlsDocument());
    expect(await servedCn()).toBe('geosteer-admin');
    // the key first: for a moment the pair does not match, which must not take the server down
    copyFileSync(renewed.key, live.key);
    await waitFor('the mismatch is refused', () => lines.some((l) => l.level === 50 && l.msg.includes('the files do not load; still serving the previous certificate')));
    expect(await servedCn()).toBe('geosteer-admin');
    copyFileSync(renewed.cert, live.cert);
    await waitFor('the renewed certificate is served', async () => (await servedCn()) === 'geosteer-admin-renewed');
    expect((await https('/readyz')).status).toBe(200);
  });

  it('a config reload that names other files switches to them', async () => {
    freshLive();
    const doc = tlsDocument();
    await start(doc);
    doc.admin.tls.cert_file = renewed.cert;
    doc.admin.tls.key_file = renewed.key;
    h!.writeConfig(doc);
    expect((await https('/v1/reload', { method: 'POST', headers: WRITE, body: { reason: 'rotate the admin certificate' } })).status).toBe(200);
    expect(await servedCn()).toBe('geosteer-admin-renewed');
  });

  it('files that cannot be read or do not match are config problems at start, naming the field', async () => {
    freshLive();
    const missing = tlsDocument();
    missing.admin.tls.cert_file = `${ca.dir}/nope.crt`;
    await expect(start(missing)).rejects.toThrow(ConfigError);
    await expect(start(missing)).rejects.toThrow(`admin.tls.cert_file: cannot read ${ca.dir}/nope.crt: ENOENT`);
    const mismatched = tlsDocument();
    mismatched.admin.tls.key_file = renewed.key;
    await expect(start(mismatched)).rejects.toThrow('do not make a TLS certificate');
  });
});

describe('admin beyond loopback, and the open listener', () => {
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('warns at start when the API listens beyond loopback without TLS; not on loopback', async () => {
    await start(adminDocument(), '0.0.0.0:0');
    const warning = lines.find((l) => l.level === 40)!;
    expect(warning.msg).toBe(`admin API listens on 0.0.0.0:${h!.started.admin!.port} without TLS: bearer tokens and audit reasons cross the network in clear text; set admin.tls (cert_file, key_file), or listen on 127.0.0.1 and serve probes and metrics on admin.open_listen`);
    await h!.close();
    await start(adminDocument(), '127.0.0.1:0');
    expect(lines.filter((l) => l.level >= 40)).toEqual([]);
  });

  it('admin.open_listen serves healthz, readyz and metrics without a token and nothing else; the API keeps its tokens', async () => {
    const doc = adminDocument([]); // nothing open on the API's own listener
    doc.admin.open_listen = '127.0.0.1:0';
    await start(doc);
    const open = `http://127.0.0.1:${h!.started.adminOpen!.port}`;
    expect(await (await fetch(`${open}/healthz`)).json()).toEqual({ status: 'ok' });
    expect((await (await fetch(`${open}/readyz`)).json()).ready).toBe(true);
    expect(await (await fetch(`${open}/metrics`)).text()).toContain('geosteer_region_up{region="tokyo"} 1');
    const regions = await fetch(`${open}/v1/regions`, { headers: READ });
    expect(regions.status).toBe(404);
    expect((await regions.json()).message).toContain('admin.open_listen');
    expect((await fetch(`${open}/v1/regions/tokyo/drain`, { method: 'PUT', headers: { ...WRITE, 'content-type': 'application/json' }, body: '{"reason":"x","force":true}' })).status).toBe(404);
    const api = `http://127.0.0.1:${h!.started.admin!.port}`;
    expect((await fetch(`${api}/healthz`)).status).toBe(401);
    expect((await fetch(`${api}/metrics`)).status).toBe(401);
  });
});

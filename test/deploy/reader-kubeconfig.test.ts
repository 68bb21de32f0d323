import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithKubectl } from './render.js';

// deploy/scripts/reader-kubeconfig.sh run with the real kubectl against a fake API server that
// serves kubectl's discovery and the one Secret the script reads (the real paths and JSON shapes).

const TOKEN = 'reader-token-of-tokyo';
const CA = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64');

describeWithKubectl('deploy/scripts/reader-kubeconfig.sh', () => {
  let server: Server;
  let dir: string;
  let url: string;
  const requests: string[] = [];

  beforeAll(async () => {
    // kubectl's own discovery: the version, the core group and its secrets resource
    const discovery: Record<string, unknown> = {
      '/version': { major: '1', minor: '32', gitVersion: 'v1.32.4' },
      '/api': { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] },
      '/apis': { kind: 'APIGroupList', apiVersion: 'v1', groups: [] },
      '/api/v1': { kind: 'APIResourceList', groupVersion: 'v1', resources: [{ name: 'secrets', singularName: 'secret', namespaced: true, kind: 'Secret', verbs: ['get', 'list'] }] },
    };
    server = createServer((req, res) => {
      const path = (req.url ?? '').split('?')[0];
      if (path in discovery) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(discovery[path]));
        return;
      }
      requests.push(`${req.method} ${req.url}`);
      if (req.url?.startsWith('/api/v1/namespaces/geosteer/secrets/geosteer-reader-token')) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'geosteer-reader-token', namespace: 'geosteer' }, type: 'kubernetes.io/service-account-token', data: { token: Buffer.from(TOKEN).toString('base64'), 'ca.crt': CA } }));
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    dir = mkdtempSync(join(tmpdir(), 'geosteer-reader-'));
    writeFileSync(join(dir, 'admin.yaml'), `apiVersion: v1\nkind: Config\nclusters: [{name: tokyo, cluster: {server: "${url}"}}]\nusers: [{name: admin, user: {token: admin-token}}]\ncontexts: [{name: tokyo, context: {cluster: tokyo, user: admin}}]\ncurrent-context: tokyo\n`);
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  // asynchronous: the fake API server answers from this process's event loop
  const run = (env: Record<string, string>) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile('bash', ['deploy/scripts/reader-kubeconfig.sh', 'tokyo', 'tokyo'], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, KUBECONFIG: join(dir, 'admin.yaml'), ...env } }, (err, stdout, stderr) =>
        resolve({ status: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
      );
    });

  it('refuses a loopback API server address, which the other regions cannot reach', async () => {
    const r = await run({});
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`context tokyo points at ${url}, which the other regions cannot reach;`);
    expect(requests).toEqual([]);
  });

  it('writes a kubeconfig with the reachable address, the cluster CA and the reader token', async () => {
    const r = await run({ GEOSTEER_API_SERVER: 'https://tokyo-api.internal:6443' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(requests.every((q) => q.startsWith('GET /api/v1/namespaces/geosteer/secrets/geosteer-reader-token'))).toBe(true);
    expect(requests).toHaveLength(2);
    const kc = new KubeConfig();
    kc.loadFromString(r.stdout);
    expect(kc.getCurrentContext()).toBe('tokyo');
    expect(kc.getCurrentCluster()).toMatchObject({ name: 'tokyo', server: 'https://tokyo-api.internal:6443', caData: CA });
    expect(kc.getCurrentUser()).toMatchObject({ name: 'geosteer-reader', token: TOKEN });
  });
});

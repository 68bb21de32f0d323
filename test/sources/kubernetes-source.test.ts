import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/shared/logger.js';
import type { EndpointSource } from '../../src/sources/endpoint-source.js';
import { KubernetesSource } from '../../src/sources/kubernetes-source.js';
import { startSources } from '../../src/sources/start-sources.js';
import type { CloudflareSync } from '../../src/sync/reconciler.js';
import { startCloudflareSync } from '../../src/sync/start-sync.js';
import { SyncMetrics } from '../../src/metrics/sync-metrics.js';
import { ask } from '../support/dns-client.js';
import { startFakeCloudflare, type FakeCloudflare } from '../support/fake-cloudflare.js';
import { startFakeKubernetes, type FakeKubernetes } from '../support/fake-kubernetes.js';
import { exampleDocument, startServer, type TestServer } from '../support/test-server.js';

// @kubernetes/client-node (list + Watch) against the fake API server; addresses flow into
// the snapshot (asked over real UDP) and out to the fake Cloudflare through the real SDK.

const JAPAN_ECS = '202.32.0.0/24'; // JP in the bundled GeoLite2 data: rule [tokyo, taiwan]
const delays = { retryBaseMs: 10, retryMaxMs: 50, rewatchMs: 10 };
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function until<T>(what: string, probe: () => Promise<T> | T, ok: (v: T) => boolean, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: T = await probe();
  while (!ok(last)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 10));
    last = await probe();
  }
  return last;
}

const tokyoIngress = (ip: string) => ({ namespace: 'web', name: 'api', labels: { 'geosteer.io/region': 'tokyo' }, lb: [{ ip }] });

describe('Kubernetes Ingress source', () => {
  let k8s: FakeKubernetes;
  let cf: FakeCloudflare;
  let server: TestServer;

  it('an Ingress address reaches the DNS answers and Cloudflare; the API going away keeps the last addresses', async () => {
    k8s = await startFakeKubernetes('tokyo-cluster');
    cleanups.push(() => k8s.close());
    cf = await startFakeCloudflare();
    cleanups.push(() => cf.close());
    k8s.apply(tokyoIngress('203.0.113.31'));
    k8s.apply({ namespace: 'web', name: 'other', labels: { 'geosteer.io/region': 'taiwan' }, lb: [{ ip: '203.0.113.99' }] });

    const doc = exampleDocument();
    doc.sources = { kubernetes: { regions: { tokyo: { kubeconfig: k8s.kubeconfigPath, context: 'tokyo-cluster' } } } };
    doc.sync = {
      cloudflare: { zone_id: cf.zoneId, base_url: cf.baseURL, owner_id: 'geo-test', debounce: '10ms', interval: '1h', names: [{ name: 'api.example.com', per_region: true }] },
    };
    server = await startServer(doc);
    cleanups.push(() => server.close());
    const metrics = new SyncMetrics(new Registry());
    const sources: EndpointSource[] = await startSources(server.app, { log: silentLogger(), events: server.app.events, metrics, delays });
    cleanups.push(() => Promise.all(sources.map((s) => s.stop())));
    const snapshots = { current: () => server.app.snapshot(), subscribe: (l: Parameters<typeof server.app.onRebuild>[0]) => server.app.onRebuild(l) };
    const reconciler: CloudflareSync = (await startCloudflareSync(server.app.config.config, snapshots, { log: silentLogger(), observer: metrics, env: { CLOUDFLARE_API_TOKEN: cf.token } }))!;
    cleanups.push(() => reconciler.stop());

    const tokyoA = async () => (await ask(server.port, { name: 'api.example.com', type: 'A', ecs: JAPAN_ECS })).answers;
    const cfTokyo = () => cf.records().filter((r) => r.name === 'tokyo.api.example.com').map((r) => `${r.type} ${r.content}`);
    expect(await until('first address in DNS', tokyoA, (a) => a[0] === '203.0.113.31')).toEqual(['203.0.113.31']);
    expect(await until('first address at Cloudflare', cfTokyo, (r) => r.includes('A 203.0.113.31'))).toEqual(['A 203.0.113.31']);
    // the taiwan-labelled Ingress is not tokyo's; taiwan keeps its config addresses
    expect(cf.records().find((r) => r.name === 'taiwan.api.example.com' && r.type === 'A')?.content).toBe('198.51.100.10');

    k8s.apply(tokyoIngress('203.0.113.32'));
    expect(await until('new address in DNS', tokyoA, (a) => a[0] === '203.0.113.32')).toEqual(['203.0.113.32']);
    expect(await until('new address at Cloudflare', cfTokyo, (r) => r.includes('A 203.0.113.32'))).toEqual(['A 203.0.113.32']);
    expect(k8s.requests.some((u) => u.startsWith('/apis/networking.k8s.io/v1/ingresses?') && u.includes('watch=true') && u.includes('labelSelector=geosteer.io%2Fregion%3Dtokyo'))).toBe(true);

    await k8s.close();
    cleanups.pop();
    const errors = async () => (await metrics.sourceErrors.get()).values.find((v) => v.labels.region === 'tokyo')?.value ?? 0;
    await until('a reported source error', errors, (n) => n >= 2);
    expect(server.app.events.list({ limit: 10, type: 'source_error' }).length).toBeGreaterThan(0);
    expect(await tokyoA()).toEqual(['203.0.113.32']);
    expect((await reconciler.syncNow())?.result).toBe('ok');
    expect(cfTokyo()).toEqual(['A 203.0.113.32']);
  });

  it('annotation selectors, namespaces, hostname-only load balancers and deletions', async () => {
    k8s = await startFakeKubernetes('c');
    cleanups.push(() => k8s.close());
    k8s.apply({ namespace: 'edge', name: 'a', annotations: { 'geosteer.io/region': 'singapore' }, lb: [{ ip: '203.0.113.20' }, { ip: '2001:db8:20::1' }] });
    k8s.apply({ namespace: 'edge', name: 'b', annotations: { 'geosteer.io/region': 'tokyo' }, lb: [{ ip: '203.0.113.30' }] });
    k8s.apply({ namespace: 'other', name: 'c', annotations: { 'geosteer.io/region': 'singapore' }, lb: [{ ip: '203.0.113.66' }] });
    const errors: string[] = [];
    const source = new KubernetesSource(
      { regions: { singapore: { kubeconfig: k8s.kubeconfigPath, context: 'c', namespace: 'edge', selector: { annotation: 'geosteer.io/region=singapore' } } }, max_retry_interval: 50 },
      silentLogger(),
      (_k, _r, err) => errors.push(err.message),
      delays,
    );
    cleanups.push(() => source.stop());
    const seen: string[] = [];
    source.onChange((region, e) => seen.push(`${region}: ${e.endpoints.map((x) => `${x.address}/${x.family}`).join(',')}${e.cname ? ` cname ${e.cname}` : ''}`));
    await source.start();
    await until('first list', () => seen.length, (n) => n >= 1);
    expect(seen[0]).toBe('singapore: 2001:db8:20::1/6,203.0.113.20/4');
    expect(k8s.requests[0]).toMatch(/^\/apis\/networking\.k8s\.io\/v1\/namespaces\/edge\/ingresses/);

    k8s.apply({ namespace: 'edge', name: 'a', annotations: { 'geosteer.io/region': 'singapore' }, lb: [{ hostname: 'LB-1.elb.example.net' }] });
    await until('hostname', () => seen.length, (n) => n >= 2);
    expect(seen[1]).toBe('singapore:  cname lb-1.elb.example.net');

    // Deleting the last Ingress does not empty the region: the last endpoints stay.
    k8s.remove('edge', 'a');
    k8s.apply({ namespace: 'edge', name: 'b', annotations: { 'geosteer.io/region': 'tokyo' }, lb: [{ ip: '203.0.113.31' }] });
    await until('the later event to arrive', () => k8s.watchers(), (n) => n >= 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toHaveLength(2);
    expect(source.current().get('singapore')?.cname).toBe('lb-1.elb.example.net');
    expect(errors).toEqual([]);
  });

  it('a kubeconfig context that does not exist is refused, naming the field', async () => {
    k8s = await startFakeKubernetes('c');
    cleanups.push(() => k8s.close());
    expect(() => new KubernetesSource({ regions: { tokyo: { kubeconfig: k8s.kubeconfigPath, context: 'nope' } }, max_retry_interval: 50 }, silentLogger(), () => undefined)).toThrow(
      /sources\.kubernetes\.regions\.tokyo\.context: no context "nope" in .*; contexts: c, other/,
    );
    expect(() => new KubernetesSource({ regions: { tokyo: { kubeconfig: '/nonexistent/kubeconfig' } }, max_retry_interval: 50 }, silentLogger(), () => undefined)).toThrow(
      /sources\.kubernetes\.regions\.tokyo\.kubeconfig: \/nonexistent\/kubeconfig does not exist/,
    );
  });
});

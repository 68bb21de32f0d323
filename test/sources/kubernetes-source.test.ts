import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/shared/logger.js';
import { KubernetesSource } from '../../src/sources/kubernetes-source.js';
import { parseExposition, total } from '../metrics/exposition.js';
import { ask } from '../support/dns-client.js';
import { startFakeCloudflare, type FakeCloudflare } from '../support/fake-cloudflare.js';
import { startFakeKubernetes, type FakeKubernetes } from '../support/fake-kubernetes.js';
import { waitFor } from '../support/poll.js';
import { ingress } from '../support/kubernetes-objects.js';
import { regionConfig, runSource } from '../support/kubernetes-source-run.js';
import { exampleDocument, startServer, type TestServer } from '../support/test-server.js';

// @kubernetes/client-node (list + Watch) against the fake API server; addresses flow, through
// the service's own wiring, into the snapshot (asked over real UDP) and out to the fake
// Cloudflare through the real SDK.

const JAPAN_ECS = '202.32.0.0/24'; // JP in the bundled GeoLite2 data: rule [tokyo, taiwan]
const delays = { retryBaseMs: 10, retryMaxMs: 50, rewatchMs: 10 };
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const tokyoIngress = (ip: string) => ingress({ namespace: 'web', name: 'api', labels: { 'geosteer.io/region': 'tokyo' }, lb: [{ ip }] });

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
    k8s.apply(ingress({ namespace: 'web', name: 'other', labels: { 'geosteer.io/region': 'taiwan' }, lb: [{ ip: '203.0.113.99' }] }));

    const doc = exampleDocument();
    doc.sources = { kubernetes: { regions: { tokyo: { kubeconfig: k8s.kubeconfigPath, context: 'tokyo-cluster' } } } };
    doc.sync = {
      cloudflare: { zone_id: cf.zoneId, base_url: cf.baseURL, owner_id: 'geo-test', debounce: '10ms', interval: '1h', names: [{ name: 'api.example.com', per_region: true }] },
    };
    server = await startServer(doc, { sourceDelays: delays, env: { CLOUDFLARE_API_TOKEN: cf.token } });
    cleanups.push(() => server.close());
    const reconciler = server.service.sync()!;

    const tokyoA = async () => (await ask(server.port, { name: 'api.example.com', type: 'A', ecs: JAPAN_ECS })).answers;
    const cfTokyo = () => cf.records().filter((r) => r.name === 'tokyo.api.example.com').map((r) => `${r.type} ${r.content}`);
    expect(await waitFor('first address in DNS', async () => { const a = await tokyoA(); return a[0] === '203.0.113.31' && a; })).toEqual(['203.0.113.31']);
    expect(await waitFor('first address at Cloudflare', () => cfTokyo().includes('A 203.0.113.31') && cfTokyo())).toEqual(['A 203.0.113.31']);
    // the taiwan-labelled Ingress is not tokyo's; taiwan keeps its config addresses
    expect(cf.records().find((r) => r.name === 'taiwan.api.example.com' && r.type === 'A')?.content).toBe('198.51.100.10');

    k8s.apply(tokyoIngress('203.0.113.32'));
    expect(await waitFor('new address in DNS', async () => { const a = await tokyoA(); return a[0] === '203.0.113.32' && a; })).toEqual(['203.0.113.32']);
    expect(await waitFor('new address at Cloudflare', () => cfTokyo().includes('A 203.0.113.32') && cfTokyo())).toEqual(['A 203.0.113.32']);
    expect(k8s.requests.some((u) => u.startsWith('/apis/networking.k8s.io/v1/ingresses?') && u.includes('watch=true') && u.includes('labelSelector=geosteer.io%2Fregion%3Dtokyo'))).toBe(true);

    await k8s.close();
    cleanups.pop();
    const errors = async () => total(parseExposition((await server.service.metrics.render()).body).samples, 'geosteer_source_errors_total', { source: 'kubernetes', region: 'tokyo' });
    const counted = await waitFor('two reported source errors', async () => { const n = await errors(); return n >= 2 && n; });
    // every counted failure is also an event (the retry loop goes on, so the count only grows)
    expect(server.events.list({ limit: 1000, type: 'source_error' }).length).toBeGreaterThanOrEqual(counted);
    expect(await tokyoA()).toEqual(['203.0.113.32']);
    expect((await reconciler.syncNow())?.result).toBe('ok');
    expect(cfTokyo()).toEqual(['A 203.0.113.32']);
  });

  it('annotation selectors, namespaces, hostname-only load balancers and deletions', async () => {
    k8s = await startFakeKubernetes('c');
    cleanups.push(() => k8s.close());
    const sg = { 'geosteer.io/region': 'singapore' };
    k8s.apply(ingress({ namespace: 'edge', name: 'a', annotations: sg, lb: [{ ip: '203.0.113.20' }, { ip: '2001:db8:20::1' }] }));
    k8s.apply(ingress({ namespace: 'edge', name: 'b', annotations: { 'geosteer.io/region': 'tokyo' }, lb: [{ ip: '203.0.113.30' }] }));
    k8s.apply(ingress({ namespace: 'other', name: 'c', annotations: sg, lb: [{ ip: '203.0.113.66' }] }));
    const run = await runSource({ singapore: regionConfig(k8s, { namespace: 'edge', selector: { annotation: 'geosteer.io/region=singapore' } }) }, cleanups);
    await waitFor('first list', () => run.endpoints.length === 1);
    expect(run.endpoints).toEqual(['singapore: 2001:db8:20::1/6,203.0.113.20/4']);
    expect(k8s.requests[0]).toBe('/apis/networking.k8s.io/v1/namespaces/edge/ingresses');

    k8s.apply(ingress({ namespace: 'edge', name: 'a', annotations: sg, lb: [{ hostname: 'LB-1.elb.example.net' }] }));
    await waitFor('hostname', () => run.endpoints.length === 2);
    expect(run.endpoints[1]).toBe('singapore:  cname lb-1.elb.example.net');

    // Deleting the last Ingress does not empty the region: nothing is published until the
    // next Ingress with an address (events arrive in order, so that one proves the delete was seen).
    k8s.remove('Ingress', 'edge', 'a');
    k8s.apply(ingress({ namespace: 'edge', name: 'b', annotations: { 'geosteer.io/region': 'tokyo' }, lb: [{ ip: '203.0.113.31' }] }));
    expect(run.source.current().get('singapore')?.cname).toBe('lb-1.elb.example.net');
    k8s.apply(ingress({ namespace: 'edge', name: 'd', annotations: sg, lb: [{ ip: '203.0.113.21' }] }));
    await waitFor('the next address', () => run.endpoints.length === 3);
    expect(run.endpoints).toEqual(['singapore: 2001:db8:20::1/6,203.0.113.20/4', 'singapore:  cname lb-1.elb.example.net', 'singapore: 203.0.113.21/4']);
    expect(run.errors).toEqual([]);
  });

  it('a kubeconfig context that does not exist is refused, naming the field', async () => {
    k8s = await startFakeKubernetes('c');
    cleanups.push(() => k8s.close());
    expect(() => new KubernetesSource({ regions: { tokyo: regionConfig(k8s, { context: 'nope' }) }, max_retry_interval: 50 }, silentLogger(), () => undefined)).toThrow(
      /sources\.kubernetes\.regions\.tokyo\.context: no context "nope" in .*; contexts: c, other/,
    );
    expect(() => new KubernetesSource({ regions: { tokyo: regionConfig(k8s, { kubeconfig: '/nonexistent/kubeconfig' }) }, max_retry_interval: 50 }, silentLogger(), () => undefined)).toThrow(
      /sources\.kubernetes\.regions\.tokyo\.kubeconfig: \/nonexistent\/kubeconfig does not exist/,
    );
  });
});

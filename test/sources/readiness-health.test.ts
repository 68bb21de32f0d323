import { afterEach, describe, expect, it } from 'vitest';
import { ask } from '../support/dns-client.js';
import { startFakeKubernetes } from '../support/fake-kubernetes.js';
import { endpointSlice, service } from '../support/kubernetes-objects.js';
import { waitFor } from '../support/poll.js';
import { exampleDocument, startServer } from '../support/test-server.js';

// Health from the cluster, through the service's own wiring: tokyo's LoadBalancer Service
// loses its ready endpoints, the region is held down like a firing alert, Japanese clients
// go to taiwan; the pods come back and so does tokyo.

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('readiness from EndpointSlices as a health input', () => {
  it('not_ready holds the region down; ready lets it back (after the hold-down)', async () => {
    const k8s = await startFakeKubernetes('tokyo');
    cleanups.push(() => k8s.close());
    k8s.apply(service({ namespace: 'web', name: 'api', labels: { 'geosteer.io/region': 'tokyo' }, lb: [{ ip: '203.0.113.30' }] }));
    k8s.apply(endpointSlice({ namespace: 'web', name: 'api-1', service: 'api', ready: [true] }));
    const doc = exampleDocument();
    doc.health = { failback_hold_down: '0s' };
    doc.sources = { kubernetes: { regions: { tokyo: { kubeconfig: k8s.kubeconfigPath, resources: ['service'], readiness: { require: 'all' } } } } };
    const server = await startServer(doc, { sourceDelays: { retryBaseMs: 10, retryMaxMs: 50, rewatchMs: 10 } });
    cleanups.push(() => server.close());
    const japan = async () => (await ask(server.port, { name: 'api.example.com', type: 'A', ecs: '202.32.0.0/24' })).answers[0];

    await waitFor('tokyo answers from its Service', async () => (await japan()) === '203.0.113.30');
    k8s.apply(endpointSlice({ namespace: 'web', name: 'api-1', service: 'api', ready: [false] }));
    await waitFor('Japan fails over to taiwan', async () => (await japan()) === '198.51.100.10');
    const down = server.events.list({ type: 'region_down', region: 'tokyo' });
    expect(down).toHaveLength(1);
    expect(down[0].cause).toBe('cluster: no ready endpoints in web/api (1 of 1 backing Services)');
    expect(server.events.list({ type: 'failover' }).map((e) => e.detail?.rule)).toEqual(['countries JP,KR']);

    k8s.apply(endpointSlice({ namespace: 'web', name: 'api-1', service: 'api', ready: [true] }));
    await waitFor('tokyo is back', async () => (await japan()) === '203.0.113.30');
    expect(server.events.list({ type: 'region_up', region: 'tokyo' })).toHaveLength(1);
  });
});

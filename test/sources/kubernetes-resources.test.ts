import { afterEach, describe, expect, it } from 'vitest';
import { startFakeKubernetes, type FakeKubernetes } from '../support/fake-kubernetes.js';
import { waitFor } from '../support/poll.js';
import { gateway, ingress, service } from '../support/kubernetes-objects.js';
import { regionConfig, runSource } from '../support/kubernetes-source-run.js';

// Services of type LoadBalancer and Gateways beside Ingresses, through @kubernetes/client-node
// (CoreV1Api, CustomObjectsApi, Watch) against the fake API server.

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const tokyo = { 'geosteer.io/region': 'tokyo' };

async function fake(): Promise<FakeKubernetes> {
  const k8s = await startFakeKubernetes('c');
  cleanups.push(() => k8s.close());
  return k8s;
}

describe('Kubernetes Service source', () => {
  it('publishes the load-balancer ip and hostname of labelled LoadBalancer Services only, and follows changes', async () => {
    const k8s = await fake();
    k8s.apply(service({ namespace: 'web', name: 'api', labels: tokyo, lb: [{ ip: '203.0.113.40' }] }));
    k8s.apply(service({ namespace: 'web', name: 'internal', labels: tokyo, type: 'ClusterIP', lb: [{ ip: '203.0.113.99' }] }));
    k8s.apply(service({ namespace: 'web', name: 'osaka', labels: { 'geosteer.io/region': 'osaka' }, lb: [{ ip: '203.0.113.98' }] }));
    const run = await runSource({ tokyo: regionConfig(k8s, { resources: ['service'] }) }, cleanups);
    await waitFor('first list', () => run.endpoints.length === 1);
    expect(run.endpoints).toEqual(['tokyo: 203.0.113.40/4']);
    expect(k8s.requests[0]).toBe('/api/v1/services?labelSelector=geosteer.io%2Fregion%3Dtokyo');

    // MetalLB adds an IPv6 address; a second Service joins with a hostname (ignored while there are IPs).
    k8s.apply(service({ namespace: 'web', name: 'api', labels: tokyo, lb: [{ ip: '203.0.113.40' }, { ip: '2001:db8:40::1' }] }));
    k8s.apply(service({ namespace: 'web', name: 'edge', labels: tokyo, lb: [{ hostname: 'edge.lb.example.net' }] }));
    // A ClusterIP Service turned into a LoadBalancer counts from then on.
    k8s.apply(service({ namespace: 'web', name: 'internal', labels: tokyo, lb: [{ ip: '203.0.113.41' }] }));
    await waitFor('three changes', () => run.endpoints.length === 3);
    expect(run.endpoints.slice(1)).toEqual(['tokyo: 2001:db8:40::1/6,203.0.113.40/4', 'tokyo: 2001:db8:40::1/6,203.0.113.40/4,203.0.113.41/4']);

    // Relabelled away: the server sends DELETED to our selector's watch; only hostnames are left.
    k8s.apply(service({ namespace: 'web', name: 'api', labels: { 'geosteer.io/region': 'osaka' }, lb: [{ ip: '203.0.113.40' }] }));
    k8s.remove('Service', 'web', 'internal');
    await waitFor('the hostname alone', () => run.endpoints.length === 5);
    expect(run.endpoints.slice(3)).toEqual(['tokyo: 203.0.113.41/4', 'tokyo:  cname edge.lb.example.net']);
    expect(run.errors).toEqual([]);
  });

  it('reads one namespace when configured, with an annotation selector filtered client-side', async () => {
    const k8s = await fake();
    k8s.apply(service({ namespace: 'metallb', name: 'a', annotations: tokyo, lb: [{ ip: '203.0.113.50' }] }));
    k8s.apply(service({ namespace: 'metallb', name: 'b', lb: [{ ip: '203.0.113.51' }] }));
    k8s.apply(service({ namespace: 'web', name: 'c', annotations: tokyo, lb: [{ ip: '203.0.113.52' }] }));
    const run = await runSource({ tokyo: regionConfig(k8s, { resources: ['service'], namespace: 'metallb', selector: { annotation: 'geosteer.io/region=tokyo' } }) }, cleanups);
    await waitFor('first list', () => run.endpoints.length === 1);
    expect(run.endpoints).toEqual(['tokyo: 203.0.113.50/4']);
    expect(k8s.requests[0]).toBe('/api/v1/namespaces/metallb/services');
  });
});

describe('Kubernetes Gateway source', () => {
  it('publishes status.addresses of type IPAddress (also when type is absent) and Hostname, skipping other types', async () => {
    const k8s = await fake();
    k8s.apply(
      gateway({
        namespace: 'gw',
        name: 'public',
        labels: tokyo,
        addresses: [{ type: 'IPAddress', value: '203.0.113.60' }, { value: '2001:db8:60::1' }, { type: 'example.com/vip-pool', value: 'pool-a' }, { type: 'Hostname', value: 'gw.example.net' }],
      }),
    );
    k8s.apply(gateway({ namespace: 'gw', name: 'private', labels: { 'geosteer.io/region': 'osaka' }, addresses: [{ value: '203.0.113.69' }] }));
    const run = await runSource({ tokyo: regionConfig(k8s, { resources: ['gateway'] }) }, cleanups);
    await waitFor('first list', () => run.endpoints.length === 1);
    expect(run.endpoints).toEqual(['tokyo: 2001:db8:60::1/6,203.0.113.60/4']);
    expect(k8s.requests[0]).toBe('/apis/gateway.networking.k8s.io/v1/gateways?labelSelector=geosteer.io%2Fregion%3Dtokyo');

    k8s.apply(gateway({ namespace: 'gw', name: 'public', labels: tokyo, addresses: [{ type: 'Hostname', value: 'GW.example.net.' }] }));
    await waitFor('hostname only', () => run.endpoints.length === 2);
    expect(run.endpoints[1]).toBe('tokyo:  cname gw.example.net');
    // Deleting the Gateway leaves the last endpoints (never an empty region).
    k8s.remove('Gateway', 'gw', 'public');
    k8s.apply(gateway({ namespace: 'gw', name: 'next', labels: tokyo, addresses: [{ value: '203.0.113.61' }] }));
    await waitFor('the next gateway', () => run.endpoints.length === 3);
    expect(run.endpoints[2]).toBe('tokyo: 203.0.113.61/4');
    expect(k8s.requests.some((u) => u.startsWith('/apis/gateway.networking.k8s.io/v1/gateways?') && u.includes('watch=true') && u.includes('allowWatchBookmarks=true'))).toBe(true);
  });
});

describe('a region reading several kinds', () => {
  it('publishes the union once every kind has listed, and a missing Gateway API does not hold the others back', async () => {
    const k8s = await fake();
    k8s.apply(ingress({ namespace: 'web', name: 'i', labels: tokyo, lb: [{ ip: '203.0.113.70' }] }));
    k8s.apply(service({ namespace: 'web', name: 's', labels: tokyo, lb: [{ ip: '203.0.113.71' }] }));
    k8s.apply(gateway({ namespace: 'gw', name: 'g', labels: tokyo, addresses: [{ value: '203.0.113.72' }] }));
    const both = await runSource({ tokyo: regionConfig(k8s, { resources: ['ingress', 'service', 'gateway'] }) }, cleanups);
    await waitFor('first publication', () => both.endpoints.length === 1);
    expect(both.endpoints).toEqual(['tokyo: 203.0.113.70/4,203.0.113.71/4,203.0.113.72/4']);

    // A cluster without the Gateway API CRDs answers 404 on their paths.
    k8s.fail(404, 'gateways.gateway.networking.k8s.io');
    const run = await runSource({ tokyo: regionConfig(k8s, { resources: ['ingress', 'gateway'] }) }, cleanups);
    await waitFor('the Ingress address', () => run.endpoints.length === 1);
    expect(run.endpoints).toEqual(['tokyo: 203.0.113.70/4']);
    expect(run.errors[0]).toBe('tokyo: list gateways.gateway.networking.k8s.io: HTTP 404: the server could not find the requested resource; is the Gateway API (gateway.networking.k8s.io/v1) installed in the cluster?');
    k8s.fail(undefined);
    await waitFor('the Gateway address once the CRD is there', () => run.endpoints.length === 2);
    expect(run.endpoints[1]).toBe('tokyo: 203.0.113.70/4,203.0.113.72/4');
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { startFakeKubernetes, type FakeKubernetes } from '../support/fake-kubernetes.js';
import { waitFor } from '../support/poll.js';
import { endpointSlice, gateway, ingress, service } from '../support/kubernetes-objects.js';
import { regionConfig, runSource } from '../support/kubernetes-source-run.js';

// The list + watch loop through @kubernetes/client-node against the fake API server:
// resourceVersion resumes, 410 Gone resync, bookmarks, failures keeping the last
// endpoints, the error messages an operator reads, and stop().

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const tokyo = { 'geosteer.io/region': 'tokyo' };
const INGRESSES = 'ingresses.networking.k8s.io';

async function fakeWithIngress(): Promise<FakeKubernetes> {
  const k8s = await startFakeKubernetes('c');
  cleanups.push(() => k8s.close());
  k8s.apply(ingress({ namespace: 'web', name: 'api', labels: tokyo, lb: [{ ip: '203.0.113.10' }] }));
  return k8s;
}

const count = (k8s: FakeKubernetes, verb: 'list' | 'watch') => k8s.calls.filter((c) => c.verb === verb && c.resource === INGRESSES).length;

describe('the list + watch loop', () => {
  it('re-opens a watch the server closed from the last resourceVersion, without listing again', async () => {
    const k8s = await fakeWithIngress();
    const run = await runSource({ tokyo: regionConfig(k8s) }, cleanups);
    await waitFor('the watch', () => k8s.watchers() === 1);
    k8s.apply(ingress({ namespace: 'web', name: 'api', labels: tokyo, lb: [{ ip: '203.0.113.11' }] }));
    const seenRv = k8s.resourceVersion();
    await waitFor('the change', () => run.endpoints.length === 2);
    k8s.closeWatches();
    k8s.apply(ingress({ namespace: 'web', name: 'api', labels: tokyo, lb: [{ ip: '203.0.113.12' }] }));
    await waitFor('the change made while no watch was open', () => run.endpoints.length === 3);
    expect(run.endpoints).toEqual(['tokyo: 203.0.113.10/4', 'tokyo: 203.0.113.11/4', 'tokyo: 203.0.113.12/4']);
    expect(count(k8s, 'list')).toBe(1);
    expect(new URL(k8s.requests.filter((u) => u.includes('watch=true'))[1], k8s.server).searchParams.get('resourceVersion')).toBe(String(seenRv));
    expect(run.errors).toEqual([]);
  });

  for (const as of ['event', 'status'] as const) {
    it(`lists again at once on 410 Gone (${as === 'event' ? 'an ERROR event' : 'an HTTP status'}) and is not an error`, async () => {
      const k8s = await fakeWithIngress();
      const run = await runSource({ tokyo: regionConfig(k8s) }, cleanups);
      await waitFor('the watch', () => k8s.watchers() === 1);
      k8s.closeWatches();
      k8s.apply(ingress({ namespace: 'web', name: 'api', labels: tokyo, lb: [{ ip: '203.0.113.13' }] }));
      k8s.compact(as); // the change above is gone from history: only a list can show it
      await waitFor('the change, by listing', () => run.endpoints.length === 2);
      expect(run.endpoints[1]).toBe('tokyo: 203.0.113.13/4');
      expect(count(k8s, 'list')).toBe(2);
      expect(run.errors).toEqual([]);
    });
  }

  it('moves its resourceVersion on BOOKMARK events, so a compacted history needs no relist', async () => {
    const k8s = await fakeWithIngress();
    const run = await runSource({ tokyo: regionConfig(k8s) }, cleanups);
    await waitFor('the watch', () => k8s.watchers() === 1);
    // Changes the region's watch does not see (another region's label) move the cluster's resourceVersion.
    for (const ip of ['203.0.113.90', '203.0.113.91']) k8s.apply(ingress({ namespace: 'web', name: 'osaka', labels: { 'geosteer.io/region': 'osaka' }, lb: [{ ip }] }));
    k8s.bookmark();
    k8s.closeWatches(); // the bookmark line is on the wire before the end of the stream
    k8s.compact();
    await waitFor('the second watch', () => count(k8s, 'watch') === 2 && k8s.watchers() === 1);
    const second = new URL(k8s.requests.filter((u) => u.includes('watch=true'))[1], k8s.server).searchParams;
    expect(second.get('resourceVersion')).toBe(String(k8s.resourceVersion()));
    expect(second.get('allowWatchBookmarks')).toBe('true');
    k8s.apply(ingress({ namespace: 'web', name: 'api', labels: tokyo, lb: [{ ip: '203.0.113.14' }] }));
    await waitFor('the change on the resumed watch', () => run.endpoints.length === 2);
    expect(count(k8s, 'list')).toBe(1);
  });

  it('keeps the last endpoints while the API fails, retries, and follows changes once it is back', async () => {
    const k8s = await fakeWithIngress();
    const run = await runSource({ tokyo: regionConfig(k8s) }, cleanups);
    await waitFor('the watch', () => k8s.watchers() === 1);
    k8s.fail(500);
    await waitFor('three failures', () => run.errors.length >= 3);
    // The open watch ended, its reconnect failed, then every relist failed.
    expect(run.errors[0]).toBe('tokyo: watch ingresses.networking.k8s.io: HTTP 500: Internal Server Error');
    expect(new Set(run.errors.slice(1))).toEqual(new Set(['tokyo: list ingresses.networking.k8s.io: HTTP 500: injected failure 500']));
    expect(run.endpoints).toEqual(['tokyo: 203.0.113.10/4']);
    expect(run.source.current().get('tokyo')?.endpoints.map((e) => e.address)).toEqual(['203.0.113.10']);
    k8s.apply(ingress({ namespace: 'web', name: 'api', labels: tokyo, lb: [{ ip: '203.0.113.15' }] }));
    k8s.fail(undefined);
    await waitFor('the change after recovery', () => run.endpoints.length === 2);
    expect(run.endpoints[1]).toBe('tokyo: 203.0.113.15/4');
  });

  it('reports an ERROR event other than 410 as a failure and lists again after the retry wait', async () => {
    const k8s = await fakeWithIngress();
    const run = await runSource({ tokyo: regionConfig(k8s) }, cleanups);
    await waitFor('the watch', () => k8s.watchers() === 1);
    k8s.errorWatches(500, 'etcdserver: request timed out');
    await waitFor('the failure and a new list', () => run.errors.length === 1 && count(k8s, 'list') === 2);
    expect(run.errors).toEqual(['tokyo: watch ingresses.networking.k8s.io: HTTP 500: etcdserver: request timed out']);
    expect(run.endpoints).toEqual(['tokyo: 203.0.113.10/4']);
  });

  const refusals: [string, number, string, string][] = [
    ['no RBAC', 403, 'service', 'list services: HTTP 403: services is forbidden: User "system:serviceaccount:geosteer:geosteer" cannot list resource "services" in API group "" at the cluster scope; grant list and watch on services (see RBAC in src/sources/README.md)'],
    ['a revoked token', 401, 'ingress', 'list ingresses.networking.k8s.io: HTTP 401: Unauthorized; the API server refused the kubeconfig credentials'],
    ['no such resource', 404, 'ingress', 'list ingresses.networking.k8s.io: HTTP 404: the server could not find the requested resource; the API server does not serve ingresses.networking.k8s.io'],
  ];
  for (const [label, code, resource, message] of refusals) {
    it(`tells the operator what to fix: ${label}`, async () => {
      const k8s = await fakeWithIngress();
      k8s.fail(code);
      const run = await runSource({ tokyo: regionConfig(k8s, { resources: [resource as 'service' | 'ingress'] }) }, cleanups);
      await waitFor('a failure', () => run.errors.length >= 1);
      expect(run.errors[0]).toBe(`tokyo: ${message}`);
      expect(run.endpoints).toEqual([]);
    });
  }

  it('stop() ends every open watch, also while waiting to retry', async () => {
    const k8s = await fakeWithIngress();
    k8s.apply(endpointSlice({ namespace: 'web', name: 'api-1', service: 'api', ready: [true] }));
    k8s.apply(service({ namespace: 'web', name: 'api', labels: tokyo, lb: [{ ip: '203.0.113.16' }] }));
    k8s.apply(gateway({ namespace: 'web', name: 'gw', labels: tokyo, addresses: [{ value: '203.0.113.17' }] }));
    const run = await runSource({ tokyo: regionConfig(k8s, { resources: ['ingress', 'service', 'gateway'], readiness: { require: 'all', unknown_after: 60_000 } }) }, cleanups);
    // ingresses, services, gateways, endpointslices, httproutes
    await waitFor('five watches', () => k8s.watchers() === 5);
    await run.source.stop();
    await waitFor('no open watch', () => k8s.watchers() === 0);

    // A source sleeping a minute before its next retry stops at once.
    k8s.fail(500);
    const slow = await runSource({ tokyo: regionConfig(k8s) }, cleanups, { retryBaseMs: 60_000, retryMaxMs: 60_000, rewatchMs: 60_000 });
    await waitFor('the first failure', () => slow.errors.length === 1);
    await slow.source.stop();
    expect(k8s.watchers()).toBe(0);
    k8s.fail(undefined);

    // An API server that takes the watch request and never answers: the client has no
    // controller to abort yet, and stop() still returns.
    k8s.stall(true);
    const hung = await runSource({ tokyo: regionConfig(k8s) }, cleanups);
    await waitFor('the unanswered watch', () => k8s.watchers() === 1);
    await hung.source.stop();
    expect(hung.endpoints).toEqual(['tokyo: 203.0.113.10/4']);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import type { KubernetesRegionSourceConfig } from '../../src/config/schema.js';
import { startFakeKubernetes, type FakeKubernetes } from '../support/fake-kubernetes.js';
import { waitFor } from '../support/poll.js';
import { endpointSlice, gateway, httpRoute, ingress, service } from '../support/kubernetes-objects.js';
import { regionConfig, runSource, type SourceRun } from '../support/kubernetes-source-run.js';

// Readiness from EndpointSlices (discovery.k8s.io/v1) through client-node against the fake
// API server: the backing Services of Services, Ingresses and Gateways (via HTTPRoutes).

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const tokyo = { 'geosteer.io/region': 'tokyo' };
const all = { require: 'all', unknown_after: 60_000 } as const;

async function fake(): Promise<FakeKubernetes> {
  const k8s = await startFakeKubernetes('c');
  cleanups.push(() => k8s.close());
  return k8s;
}

/** The readiness changes after the first lists ("unknown: waiting ..." before them, in whatever order the lists land). */
function afterLists(run: SourceRun): string[] {
  const i = run.readiness.findIndex((r) => !r.includes('unknown: waiting for the first list'));
  return i < 0 ? [] : run.readiness.slice(i);
}

describe('readiness from EndpointSlices', () => {
  it('follows a LoadBalancer Service: ready -> no ready endpoints -> ready', async () => {
    const k8s = await fake();
    k8s.apply(service({ namespace: 'web', name: 'api', labels: tokyo, lb: [{ ip: '203.0.113.10' }] }));
    k8s.apply(endpointSlice({ namespace: 'web', name: 'api-x1', service: 'api', ready: [true, false] }));
    k8s.apply(endpointSlice({ namespace: 'web', name: 'other-x1', service: 'other', ready: [false] }));
    const run = await runSource({ tokyo: regionConfig(k8s, { resources: ['service'], readiness: all }) }, cleanups);
    expect(run.source.readiness().get('tokyo')).toEqual({ state: 'unknown', detail: 'waiting for the first lists' });
    await waitFor('ready', () => afterLists(run).length === 1);
    expect(afterLists(run)).toEqual(['tokyo: ready: ready endpoints in every backing Service: web/api']);
    expect(k8s.requests.filter((u) => u.startsWith('/apis/discovery.k8s.io/v1/endpointslices?labelSelector=kubernetes.io%2Fservice-name'))).not.toEqual([]);

    // Pods terminating: ready=false; a second slice of the Service with no endpoints at all.
    k8s.apply(endpointSlice({ namespace: 'web', name: 'api-x1', service: 'api', ready: [false, false] }));
    k8s.apply(endpointSlice({ namespace: 'web', name: 'api-x2', service: 'api', ready: [] }));
    await waitFor('not ready', () => afterLists(run).length === 2);
    // A slice with an endpoint whose ready condition is absent counts as ready (EndpointConditions API).
    k8s.apply(endpointSlice({ namespace: 'web', name: 'api-x2', service: 'api', ready: [undefined] }));
    await waitFor('ready again', () => afterLists(run).length === 3);
    expect(afterLists(run).slice(1)).toEqual(['tokyo: not_ready: no ready endpoints in web/api (1 of 1 backing Services)', 'tokyo: ready: ready endpoints in every backing Service: web/api']);
    expect(run.source.readiness().get('tokyo')?.state).toBe('ready');
    // Readiness is a signal beside the endpoints, not a change to them.
    expect(run.endpoints).toEqual(['tokyo: 203.0.113.10/4']);
  });

  const ingressRows: [KubernetesRegionSourceConfig['readiness'], string][] = [
    [all, 'tokyo: not_ready: no ready endpoints in web/fallback (1 of 3 backing Services)'],
    [{ require: 'any', unknown_after: 60_000 }, 'tokyo: ready: ready endpoints in web/api, web/www (2 of 3 backing Services)'],
  ];
  for (const [readiness, expected] of ingressRows) {
    it(`judges an Ingress by its rules' and default backend's Services (require ${readiness?.require})`, async () => {
      const k8s = await fake();
      k8s.apply(ingress({ namespace: 'web', name: 'site', labels: tokyo, lb: [{ ip: '203.0.113.10' }], backends: ['api', 'www', 'api'], defaultBackend: 'fallback' }));
      k8s.apply(endpointSlice({ namespace: 'web', name: 'api-1', service: 'api', ready: [true] }));
      k8s.apply(endpointSlice({ namespace: 'web', name: 'www-1', service: 'www', ready: [true] }));
      k8s.apply(endpointSlice({ namespace: 'other', name: 'fallback-1', service: 'fallback', ready: [true] })); // same name, other namespace
      const run = await runSource({ tokyo: regionConfig(k8s, { readiness }) }, cleanups);
      await waitFor('judged', () => afterLists(run).length === 1);
      expect(afterLists(run)).toEqual([expected]);
    });
  }

  it("judges a Gateway by the backendRefs of the HTTPRoutes attached to it", async () => {
    const k8s = await fake();
    k8s.apply(gateway({ namespace: 'gw', name: 'public', labels: tokyo, addresses: [{ value: '203.0.113.20' }] }));
    k8s.apply(httpRoute({ namespace: 'web', name: 'api', parents: [{ name: 'public', namespace: 'gw' }], backends: [{ name: 'api' }, { name: 'canary', weight: 0 }, { name: 'bucket', kind: 'Backend' }] }));
    k8s.apply(httpRoute({ namespace: 'web', name: 'elsewhere', parents: [{ name: 'private', namespace: 'gw' }, { name: 'public' }], backends: [{ name: 'other' }] }));
    k8s.apply(endpointSlice({ namespace: 'web', name: 'api-1', service: 'api', ready: [true] }));
    const run = await runSource({ tokyo: regionConfig(k8s, { resources: ['gateway'], readiness: all }) }, cleanups);
    await waitFor('judged', () => afterLists(run).length === 1);
    // canary (weight 0), a non-Service backend and a route attached to another Gateway (or to "public" in namespace web) do not count.
    expect(afterLists(run)).toEqual(['tokyo: ready: ready endpoints in every backing Service: web/api']);

    k8s.apply(endpointSlice({ namespace: 'web', name: 'api-1', service: 'api', ready: [false] }));
    await waitFor('not ready', () => afterLists(run).length === 2);
    k8s.remove('HTTPRoute', 'web', 'api');
    await waitFor('nothing to judge', () => afterLists(run).length === 3);
    expect(afterLists(run).slice(1)).toEqual(['tokyo: not_ready: no ready endpoints in web/api (1 of 1 backing Services)', 'tokyo: unknown: no backing Service to judge']);
  });

  it('does not judge backends outside the namespace it watches', async () => {
    const k8s = await fake();
    k8s.apply(gateway({ namespace: 'gw', name: 'public', labels: tokyo, addresses: [{ value: '203.0.113.20' }] }));
    k8s.apply(httpRoute({ namespace: 'gw', name: 'api', parents: [{ name: 'public' }], backends: [{ name: 'api', namespace: 'web' }, { name: 'local' }] }));
    k8s.apply(endpointSlice({ namespace: 'web', name: 'api-1', service: 'api', ready: [false] }));
    k8s.apply(endpointSlice({ namespace: 'gw', name: 'local-1', service: 'local', ready: [true] }));
    const run = await runSource({ tokyo: regionConfig(k8s, { resources: ['gateway'], namespace: 'gw', readiness: all }) }, cleanups);
    await waitFor('judged', () => afterLists(run).length === 1);
    expect(afterLists(run)).toEqual(['tokyo: ready: ready endpoints in every backing Service: gw/local; not judged (outside namespace gw): web/api']);
    expect(new Set(k8s.calls.map((c) => c.namespace))).toEqual(new Set(['gw']));
  });

  it('is unknown while the API fails from the start, keeps the last value through failures, and is unknown once they last unknown_after', async () => {
    const k8s = await fake();
    k8s.apply(service({ namespace: 'web', name: 'api', labels: tokyo, lb: [{ ip: '203.0.113.10' }] }));
    k8s.apply(endpointSlice({ namespace: 'web', name: 'api-1', service: 'api', ready: [true] }));
    k8s.fail(403, 'endpointslices.discovery.k8s.io');
    const run = await runSource({ tokyo: regionConfig(k8s, { resources: ['service'], readiness: all }) }, cleanups);
    await waitFor('the first failure', () => run.readiness.some((r) => r.includes('HTTP 403')));
    expect(run.source.readiness().get('tokyo')).toEqual({
      state: 'unknown',
      detail:
        'waiting for the first list of endpointslices.discovery.k8s.io; list endpointslices.discovery.k8s.io: HTTP 403: endpointslices.discovery.k8s.io is forbidden: User "system:serviceaccount:geosteer:geosteer" cannot list resource "endpointslices" in API group "discovery.k8s.io" at the cluster scope; grant list and watch on endpointslices.discovery.k8s.io (see RBAC in src/sources/README.md)',
    });
    k8s.fail(undefined);
    await waitFor('ready', () => run.source.readiness().get('tokyo')?.state === 'ready');

    k8s.fail(500);
    const before = run.errors.length;
    await waitFor('three more failures', () => run.errors.length >= before + 3);
    expect(run.source.readiness().get('tokyo')?.state).toBe('ready');
    run.clock.now += 60_000; // the failures began a minute ago
    await waitFor('unknown', () => run.source.readiness().get('tokyo')?.state === 'unknown');
    expect(run.source.readiness().get('tokyo')?.detail).toMatch(/^API failing for 60 s or more; (list|watch) (services|endpointslices\.discovery\.k8s\.io): HTTP 500/);
    k8s.fail(undefined);
    await waitFor('ready after recovery', () => run.source.readiness().get('tokyo')?.state === 'ready');
    expect(run.readiness.at(-1)).toBe('tokyo: ready: ready endpoints in every backing Service: web/api');
    expect(run.readiness.filter((r) => r.includes(': ready: '))).toHaveLength(2);
  });
});

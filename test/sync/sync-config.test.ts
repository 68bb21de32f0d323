import { describe, expect, it } from 'vitest';
import { exampleDocument, loadDocument, configProblems } from '../support/test-server.js';

const CF = { zone_id: '023e105f4ecef8ad9ca31a8372d0c353', zone_name: 'example.com', owner_id: 'geo-prod', names: [{ name: 'api.example.com' }] };

const problems = configProblems;

describe('sources and sync.cloudflare config', () => {
  it('a valid section loads with its defaults', () => {
    const doc = exampleDocument();
    doc.sync = { cloudflare: CF };
    doc.sources = { kubernetes: { regions: { tokyo: { kubeconfig: '/etc/geosteer/tokyo.kubeconfig', context: 'tokyo', selector: { annotation: 'geosteer.io/region=tokyo' } } } } };
    const { config } = loadDocument(doc);
    expect(config.sync?.cloudflare).toMatchObject({
      api_token_env: 'CLOUDFLARE_API_TOKEN',
      policy: 'sync',
      dry_run: false,
      interval: 300_000,
      debounce: 2000,
      delegation_ns: false,
      names: [{ name: 'api.example.com', per_region: true, failover_record: false, ttl: 60, proxied: false }],
      budget: { requests: 600, window: 300_000, burst: 60, max_wait: 30_000 },
      batch_size: 200,
      retry_delay: 30_000,
      max_backoff: 600_000,
      lease_ttl: 30_000,
    });
    expect(config.sources?.kubernetes?.max_retry_interval).toBe(30_000);
  });

  const rows: [string, (doc: Record<string, any>) => void, string][] = [
    ['unknown region in sources', (d) => (d.sources = { kubernetes: { regions: { osaka: { kubeconfig: 'k' } } } }), 'sources.kubernetes.regions.osaka: unknown region "osaka"; known regions: taiwan, singapore, tokyo, us-west'],
    ['bad selector', (d) => (d.sources = { kubernetes: { regions: { tokyo: { kubeconfig: 'k', selector: { label: 'tokyo' } } } } }), 'sources.kubernetes.regions.tokyo.selector'],
    ['name not steered', (d) => (d.sync = { cloudflare: { ...CF, names: [{ name: 'www.example.com' }] } }), 'sync.cloudflare.names[0].name: www.example.com is not a steered name; steered names: api.example.com'],
    ['TTL out of range', (d) => (d.sync = { cloudflare: { ...CF, names: [{ name: 'api.example.com', ttl: 30 }] } }), 'sync.cloudflare.names[0].ttl: expected 1 (automatic) or 60..86400, got 30'],
    ['proxied with a TTL', (d) => (d.sync = { cloudflare: { ...CF, names: [{ name: 'api.example.com', proxied: true }] } }), 'sync.cloudflare.names[0].ttl: proxied records always have TTL 1 (automatic) at Cloudflare; set ttl: 1'],
    ['nothing to publish', (d) => (d.sync = { cloudflare: { ...CF, names: [{ name: 'api.example.com', per_region: false }] } }), 'sync.cloudflare.names[0]: nothing to publish; set per_region or failover_record'],
    ['delegation without zone_name', (d) => (d.sync = { cloudflare: { ...CF, zone_name: undefined, delegation_ns: true } }), 'sync.cloudflare.delegation_ns: needs zone_name'],
    ['delegation of the Cloudflare zone itself', (d) => (d.sync = { cloudflare: { ...CF, delegation_ns: true } }), 'sync.cloudflare.delegation_ns: no zone under zones lies below example.com'],
    ['name outside the Cloudflare zone', (d) => (d.sync = { cloudflare: { ...CF, zone_name: 'example.net' } }), 'sync.cloudflare.names[0].name: api.example.com is outside the Cloudflare zone example.net'],
    ['owner id with a comma', (d) => (d.sync = { cloudflare: { ...CF, owner_id: 'a,b' } }), 'sync.cloudflare.owner_id: expected 1..64 letters'],
    ['unknown policy', (d) => (d.sync = { cloudflare: { ...CF, policy: 'create-only' } }), 'sync.cloudflare.policy: expected one of "sync", "upsert-only", got "create-only"'],
    ['unknown key', (d) => (d.sync = { cloudflare: { ...CF, tags: ['x'] } }), 'sync.cloudflare: unknown key "tags"'],
    ['a budget over the account limit', (d) => (d.sync = { cloudflare: { ...CF, budget: { requests: 1300 } } }), "sync.cloudflare.budget: 1300 requests per 300 s is more than Cloudflare's account limit of 1200 per 5 minutes"],
    ['the same rate over a shorter window', (d) => (d.sync = { cloudflare: { ...CF, budget: { requests: 300, window: '1m' } } }), "sync.cloudflare.budget: 300 requests per 60 s is more than Cloudflare's account limit"],
    ['a burst above the budget', (d) => (d.sync = { cloudflare: { ...CF, budget: { requests: 50, burst: 80 } } }), 'sync.cloudflare.budget.burst: 80 is more than budget.requests (50)'],
    ['a batch larger than any plan allows', (d) => (d.sync = { cloudflare: { ...CF, batch_size: 5000 } }), 'sync.cloudflare.batch_size'],
    ['a first retry after the back-off cap', (d) => (d.sync = { cloudflare: { ...CF, retry_delay: '20m' } }), 'sync.cloudflare.retry_delay: longer than max_backoff (600 s)'],
    ['a lease too short to renew', (d) => (d.sync = { cloudflare: { ...CF, lease_ttl: '1s' } }), 'sync.cloudflare.lease_ttl: at least 3s'],
    ['an unknown budget key', (d) => (d.sync = { cloudflare: { ...CF, budget: { per_minute: 10 } } }), 'sync.cloudflare.budget: unknown key "per_minute"'],
    ['region without endpoints and no source', (d) => (d.regions.tokyo.endpoints = []), 'regions.tokyo: a region needs endpoints or a cname'],
  ];
  for (const [label, change, message] of rows) {
    it(`rejects: ${label}`, () => {
      const found = problems(change);
      expect(found.some((p) => p.includes(message)), `${message}\nnot in:\n${found.join('\n')}`).toBe(true);
    });
  }

  it('a region fed by a Kubernetes source may start without endpoints', () => {
    expect(problems((d) => {
      d.regions.tokyo.endpoints = [];
      d.sources = { kubernetes: { regions: { tokyo: { kubeconfig: 'k' } } } };
    })).toEqual([]);
  });
});

describe('a Kubernetes-fed region before its first addresses', () => {
  it('compiles and answers from the next tier until the source reports', async () => {
    const { startServer } = await import('../support/test-server.js');
    const { ask } = await import('../support/dns-client.js');
    const { startFakeKubernetes } = await import('../support/fake-kubernetes.js');
    const { waitFor } = await import('../support/poll.js');
    const { ingress } = await import('../support/kubernetes-objects.js');
    const k8s = await startFakeKubernetes('tokyo');
    const doc = exampleDocument();
    doc.regions.tokyo.endpoints = [];
    doc.sources = { kubernetes: { regions: { tokyo: { kubeconfig: k8s.kubeconfigPath } } } };
    const server = await startServer(doc, { sourceDelays: { retryBaseMs: 10, retryMaxMs: 50, rewatchMs: 10 } });
    const japan = async () => (await ask(server.port, { name: 'api.example.com', type: 'A', ecs: '202.32.0.0/24' })).answers;
    try {
      expect(await japan()).toEqual(['198.51.100.10']); // taiwan, the next tier of JP's rule
      k8s.apply(ingress({ namespace: 'web', name: 'api', labels: { 'geosteer.io/region': 'tokyo' }, lb: [{ ip: '203.0.113.30' }] }));
      await waitFor('the source-reported address in the answers', async () => (await japan())[0] === '203.0.113.30');
    } finally {
      await server.close();
      await k8s.close();
    }
  });
});

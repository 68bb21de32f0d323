import { ALERTMANAGER_PATH } from '../../src/admin/alertmanager-route.js';
import type { RedisConnection } from '../../src/state/redis-state-store.js';
import type { StateStore, StoreHealth } from '../../src/state/state-store.js';
import { ask } from './dns-client.js';
import { exampleDocument, startServer, type TestServer } from './test-server.js';

/** Heartbeat and observation TTL of test instances: short, so quorum changes show within a second. */
export const HEARTBEAT_MS = 100;
export const TTL_MS = 400;

const ALERT_TOKEN = 'alert-token-0123456789abcdef';

/**
 * One geosteer instance sharing state through Redis, built by the production wiring
 * (state.store: redis: the service's own RedisStateStore and health quorum). Its own health
 * observations come from Alertmanager posts to it, as they would from a real Alertmanager.
 */
export interface Instance {
  readonly id: string;
  readonly store: StateStore & StoreHealth;
  readonly server: TestServer;
  /** This instance's own observation of a target ("region:tokyo", "endpoint:tokyo/jp-v4"). */
  see(target: string, up: boolean): Promise<void>;
  /** The first A record a client in `ecs` gets for api.example.com, over real UDP. */
  answer(ecs: string): Promise<string | undefined>;
  close(): Promise<void>;
}

/** The `state:` section for a connection. */
function stateSection(connection: RedisConnection): Record<string, unknown> {
  if (connection.mode === 'standalone') return { url: connection.url };
  if (connection.mode === 'cluster') return { cluster_nodes: connection.nodes.map((n) => `${n.host}:${n.port}`), ...(connection.url ? { url: connection.url } : {}) };
  return { sentinels: connection.sentinels, sentinel_name: connection.name, ...(connection.url ? { url: connection.url } : {}) };
}

/** Starts an instance on the example config; resolves once it serves (its store has tried Redis). */
export async function startInstance(connection: RedisConnection, prefix: string, id: string, resyncIntervalMs = 60_000, opts: { quorum?: number; adminToken?: string; observationTtlMs?: number } = {}): Promise<Instance> {
  const doc = exampleDocument();
  doc.state = {
    store: 'redis',
    ...stateSection(connection),
    key_prefix: prefix,
    instance_id: id,
    heartbeat_interval: `${HEARTBEAT_MS}ms`,
    observation_ttl: `${opts.observationTtlMs ?? TTL_MS}ms`,
    resync_interval: `${resyncIntervalMs}ms`,
    reconnect_max_interval: '100ms',
    ...(opts.quorum ? { quorum: opts.quorum } : {}),
  };
  doc.health = { failback_hold_down: '0s', alertmanager: { token: ALERT_TOKEN } };
  if (opts.adminToken) doc.admin.tokens = [{ name: 'ops', scope: 'write', token: opts.adminToken }];
  const server = await startServer(doc);
  return {
    id,
    store: server.service.state,
    server,
    async see(target, up) {
      const status = up ? 'resolved' : 'firing';
      const res = await server.service.admin!.inject({
        method: 'POST',
        url: ALERTMANAGER_PATH,
        headers: { authorization: `Bearer ${ALERT_TOKEN}`, 'content-type': 'application/json' },
        payload: { version: '4', status, alerts: [{ status, labels: { alertname: 'Down', region: target.replace(/^(region|endpoint):/, '') }, fingerprint: target }] },
      });
      if (res.statusCode !== 200) throw new Error(`alert post answered ${res.statusCode}: ${res.body}`);
    },
    async answer(ecs) {
      return (await ask(server.port, { name: 'api.example.com', type: 'A', ecs })).answers[0];
    },
    close: () => server.close(),
  };
}

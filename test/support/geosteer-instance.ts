import { silentLogger } from '../../src/shared/logger.js';
import { HealthPublisher } from '../../src/state/health-publisher.js';
import { RedisStateStore, type RedisConnection } from '../../src/state/redis-state-store.js';
import { ask } from './dns-client.js';
import { startServer, type TestServer } from './test-server.js';

/** Heartbeat and observation TTL of test instances: short, so quorum changes show within a second. */
export const HEARTBEAT_MS = 100;
export const TTL_MS = 400;

/** One geosteer instance sharing state through Redis: App + DNS listener + RedisStateStore + HealthPublisher. */
export interface Instance {
  readonly id: string;
  readonly store: RedisStateStore;
  readonly server: TestServer;
  readonly publisher: HealthPublisher;
  /** This instance's own health observations (what its checks would report). */
  see(target: string, up: boolean): Promise<void>;
  /** The first A record a client in `ecs` gets for api.example.com, over real UDP. */
  answer(ecs: string): Promise<string | undefined>;
  close(): Promise<void>;
}

/** Starts an instance on the example config; resolves once its store has read Redis. */
export async function startInstance(connection: RedisConnection, prefix: string, id: string, resyncIntervalMs = 60_000): Promise<Instance> {
  const store = new RedisStateStore({ connection, keyPrefix: prefix, instanceId: id, log: silentLogger(), resyncIntervalMs, reconnectMaxDelayMs: 100 });
  await store.refresh();
  const server = await startServer(undefined, { state: store });
  const local: Record<string, boolean> = {};
  const publisher = new HealthPublisher({ store, instance: id, localTargets: () => ({ ...local }), onView: (v) => server.app.setHealth(v), heartbeatMs: HEARTBEAT_MS, ttlMs: TTL_MS, log: silentLogger() });
  publisher.start();
  return {
    id,
    store,
    server,
    publisher,
    see(target, up) {
      local[target] = up;
      return publisher.localChanged();
    },
    async answer(ecs) {
      return (await ask(server.port, { name: 'api.example.com', type: 'A', ecs })).answers[0];
    },
    async close() {
      publisher.stop();
      await server.close();
      await store.close();
    },
  };
}

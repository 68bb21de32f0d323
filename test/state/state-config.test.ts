import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/config/load.js';
import { silentLogger } from '../../src/shared/logger.js';
import { createStateStore, redisConnectionOf } from '../../src/state/create-state-store.js';
import { MemoryStateStore } from '../../src/state/memory-state-store.js';
import { exampleDocument, loadDocument, configProblems } from '../support/test-server.js';

const stateProblems = (state: unknown): string[] =>
  configProblems((doc) => {
    doc.state = state;
  });

describe('state: config section', () => {
  const bad: [string, unknown, string][] = [
    ['unknown store', { store: 'etcd' }, 'state.store: expected one of "memory", "redis", got "etcd"'],
    ['redis without an address', { store: 'redis' }, 'state.url: store: redis needs url (or sentinels + sentinel_name, or cluster_nodes)'],
    ['url with the memory store', { url: 'redis://127.0.0.1:6379' }, 'state.url: only used with store: redis'],
    ['not a redis URL', { store: 'redis', url: 'http://127.0.0.1:6379' }, 'state.url: expected a redis:// or rediss:// URL'],
    ['sentinels without a master name', { store: 'redis', sentinels: [{ host: '127.0.0.1', port: 26379 }] }, 'state.sentinel_name: sentinels need sentinel_name'],
    ['sentinels and cluster', { store: 'redis', sentinels: [{ host: '127.0.0.1', port: 26379 }], sentinel_name: 'm', cluster_nodes: ['127.0.0.1:7000'] }, 'state.cluster_nodes: use either sentinels or cluster_nodes, not both'],
    ['bad cluster node', { store: 'redis', cluster_nodes: ['127.0.0.1'] }, 'state.cluster_nodes[0]: expected host:port of a cluster node, got "127.0.0.1"'],
    ['ttl not longer than the heartbeat', { store: 'redis', url: 'redis://127.0.0.1:6379', heartbeat_interval: '2s', observation_ttl: '1s' }, 'state.observation_ttl: must be longer than heartbeat_interval (2000 ms)'],
    ['quorum of zero', { store: 'redis', url: 'redis://127.0.0.1:6379', quorum: 0 }, 'state.quorum: expected number to be >=1, got 0'],
    ['bad key prefix', { store: 'redis', url: 'redis://127.0.0.1:6379', key_prefix: 'geo steer' }, 'state.key_prefix: expected letters, digits, _ . : -'],
    ['unknown key', { store: 'redis', url: 'redis://127.0.0.1:6379', sentinel: [] }, 'state: unknown key "sentinel"'],
    ['password_env with the memory store', { password_env: 'GEOSTEER_REDIS_PASSWORD' }, 'state.password_env: only used with store: redis'],
    ['password_env that is no variable name', { store: 'redis', url: 'redis://127.0.0.1:6379', password_env: 'redis password' }, 'state.password_env: expected an environment variable name'],
    ['password_env and a password in url', { store: 'redis', url: 'redis://geosteer:secret@127.0.0.1:6379', password_env: 'GEOSTEER_REDIS_PASSWORD' }, 'state.password_env: the url holds a password too; keep it in one place: remove it from url (redis://user@host:port keeps the user name)'],
  ];
  for (const [label, state, expected] of bad) {
    it(`rejects ${label}`, () => {
      const problems = stateProblems(state);
      expect(problems.some((p) => p.startsWith(expected)), `problems were:\n${problems.join('\n')}`).toBe(true);
    });
  }

  it('defaults to the memory store and accepts the three Redis forms with defaults filled in', () => {
    expect(loadDocument(exampleDocument()).config.state.store).toBe('memory');
    const standalone = { ...exampleDocument(), state: { store: 'redis', url: 'redis://:secret@127.0.0.1:6379/2' } };
    const s = loadDocument(standalone).config.state;
    expect(s).toMatchObject({ key_prefix: 'geosteer', observation_ttl: 3000, heartbeat_interval: 1000, resync_interval: 5000 });
    expect(redisConnectionOf(s, {})).toEqual({ mode: 'standalone', url: 'redis://:secret@127.0.0.1:6379/2' });
    const sentinel = loadDocument({ ...exampleDocument(), state: { store: 'redis', sentinels: [{ host: '127.0.0.1', port: 26379 }], sentinel_name: 'geo' } }).config.state;
    expect(redisConnectionOf(sentinel, {})).toEqual({ mode: 'sentinel', sentinels: [{ host: '127.0.0.1', port: 26379 }], name: 'geo', url: undefined });
    const cluster = loadDocument({ ...exampleDocument(), state: { store: 'redis', cluster_nodes: ['127.0.0.1:7000', '127.0.0.1:7001'] } }).config.state;
    expect(redisConnectionOf(cluster, {})).toEqual({ mode: 'cluster', nodes: [{ host: '127.0.0.1', port: 7000 }, { host: '127.0.0.1', port: 7001 }], url: undefined });
  });

  it('password_env: each of the three forms takes the password from the variable it names, and an unset or empty one is an error naming it', () => {
    const env = { GEOSTEER_REDIS_PASSWORD: 'from-the-secret' };
    const forms: [Record<string, unknown>, Record<string, unknown>][] = [
      [{ url: 'redis://geosteer@127.0.0.1:6379/2' }, { mode: 'standalone', url: 'redis://geosteer@127.0.0.1:6379/2' }],
      [{ sentinels: [{ host: '127.0.0.1', port: 26379 }], sentinel_name: 'geo' }, { mode: 'sentinel', sentinels: [{ host: '127.0.0.1', port: 26379 }], name: 'geo', url: undefined }],
      [{ cluster_nodes: ['127.0.0.1:7000'] }, { mode: 'cluster', nodes: [{ host: '127.0.0.1', port: 7000 }], url: undefined }],
    ];
    for (const [form, connection] of forms) {
      const state = loadDocument({ ...exampleDocument(), state: { store: 'redis', password_env: 'GEOSTEER_REDIS_PASSWORD', ...form } }).config.state;
      expect(redisConnectionOf(state, env)).toEqual({ ...connection, password: 'from-the-secret' });
      expect(() => redisConnectionOf(state, {})).toThrow('state.password_env: environment variable GEOSTEER_REDIS_PASSWORD is not set; export the Redis password (requirepass, or the ACL password of the user in url) or remove password_env');
      expect(() => redisConnectionOf(state, { GEOSTEER_REDIS_PASSWORD: '' })).toThrow('state.password_env: environment variable GEOSTEER_REDIS_PASSWORD is empty;');
    }
  });

  it('creates the memory store by default', async () => {
    const store = await createStateStore(loadDocument(exampleDocument()).config.state, {}, silentLogger());
    expect(store).toBeInstanceOf(MemoryStateStore);
    await store.close();
  });

  it('the two-instance Redis examples are valid and share one Redis and prefix', async () => {
    const a = await loadConfigFile('config/geosteer.redis-a.yaml');
    const b = await loadConfigFile('config/geosteer.redis-b.yaml');
    expect(a.config.state).toMatchObject({ store: 'redis', url: 'redis://127.0.0.1:6379', instance_id: 'geo-a' });
    expect(b.config.state).toMatchObject({ store: 'redis', url: 'redis://127.0.0.1:6379', instance_id: 'geo-b' });
    expect(a.config.state.key_prefix).toBe(b.config.state.key_prefix);
    expect(a.config.dns.listen).toEqual(['127.0.0.1:5354']);
    expect(b.config.dns.listen).toEqual(['127.0.0.1:5355']);
  });
});

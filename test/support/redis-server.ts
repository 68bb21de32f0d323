import { Redis } from 'ioredis';
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'vitest';
import { waitFor } from './poll.js';

const IN_CI = process.env.CI === 'true';
const execFileAsync = promisify(execFile);

/** True when a redis-server binary is on PATH. */
export function redisServerInstalled(): boolean {
  return installed('redis-server');
}

function installed(tool: string): boolean {
  return spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * `describe` for suites that need a real redis-server (and `tools`, e.g. redis-cli for a
 * Cluster). Without them: in CI (CI=true) the suite fails with a message saying what to
 * install; elsewhere it is skipped with a loud warning.
 */
export function describeWithRedis(name: string, body: () => void, tools: readonly string[] = ['redis-server']): void {
  const missing = tools.filter((t) => !installed(t));
  if (missing.length === 0) {
    describe(name, body);
    return;
  }
  const message = `${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not installed (not on PATH): install it (apt-get install redis-server redis-tools) to run "${name}"`;
  if (IN_CI) {
    describe(name, () => {
      it('needs redis-server', () => {
        throw new Error(`${message}; CI=true, so this is a failure, not a skip`);
      });
    });
    return;
  }
  console.warn(`\n!!! SKIPPING "${name}": ${message}\n`);
  describe.skip(name, body);
}

/** A free TCP port on 127.0.0.1 (the OS picks; released just before redis-server binds it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.listen(0, '127.0.0.1', resolve).once('error', reject));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/** Resolves true when `port` answers PING with PONG (after AUTH with `password`, when given). */
function ping(port: number, password?: string): Promise<boolean> {
  // inline commands: one reply line each (+OK, +PONG, or an error such as -LOADING)
  const commands = [...(password !== undefined ? [`AUTH ${password}`] : []), 'PING'];
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let replies = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write(commands.map((c) => `${c}\r\n`).join('')));
    socket.on('data', (d) => {
      replies += d.toString();
      const lines = replies.split('\r\n').slice(0, -1);
      if (lines.length >= commands.length) done(lines[commands.length - 1] === '+PONG');
    });
  });
}

/** Waits until `port` answers PING (authenticated with `password`, when given), or throws at the deadline. */
export async function waitForPing(port: number, timeoutMs = 5000, password?: string): Promise<void> {
  await waitFor(`redis on 127.0.0.1:${port} to answer PING`, () => ping(port, password), timeoutMs);
}

/** A redis-server started by a test. */
export interface TestRedis {
  readonly port: number;
  /** redis://127.0.0.1:port, without the password. */
  readonly url: string;
  /** The requirepass it was started with, if any. */
  readonly password: string | undefined;
  /** SIGKILL: no shutdown save, connections drop at once. */
  kill(): Promise<void>;
  /** Starts it again on the same port and data directory. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts redis-server on a free loopback port. `durable` keeps an append-only file fsynced on
 * every write in a temp dir, so a SIGKILL loses nothing that was acknowledged. `password`
 * starts it with `--requirepass`: every client must AUTH first.
 */
export async function startRedis(opts: { durable?: boolean; password?: string; extraArgs?: string[] } = {}): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'geosteer-redis-'));
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--protected-mode', 'no', '--loglevel', 'warning'];
  args.push(...(opts.durable ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']), ...requirePass(opts.password), ...(opts.extraArgs ?? []));
  const server = await spawnRedis(args, port, opts.password);
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    password: opts.password,
    kill: server.kill,
    restart: server.restart,
    stop: async () => {
      await server.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** redis-server arguments for `password`: clients must AUTH, and a replica authenticates to its primary with it. */
function requirePass(password: string | undefined): string[] {
  return password === undefined ? [] : ['--requirepass', password, '--masterauth', password];
}

/** Runs redis-server with `args` until it answers PING on `port`; kill (SIGKILL) and restart with the same arguments. */
async function spawnRedis(args: readonly string[], port: number, password?: string): Promise<{ kill(): Promise<void>; restart(): Promise<void> }> {
  let child: ChildProcess | undefined;

  const launch = async () => {
    const proc = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr?.on('data', (d) => (stderr += d));
    child = proc;
    try {
      await waitForPing(port, 5000, password);
    } catch (err) {
      proc.kill('SIGKILL');
      throw new Error(`${(err as Error).message}; redis-server stderr: ${stderr}`);
    }
  };
  const kill = async () => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGKILL');
    await exited;
  };
  await launch();
  return { kill, restart: launch };
}

/** waitFor (the one polling helper) for a yes/no check, in the argument order the Redis tests use. */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  await waitFor(what, check, timeoutMs);
}

/** A Sentinel (redis-server --sentinel) on a free port monitoring `masterPort` as `name`; `masterPassword` is the master's requirepass. */
export async function startSentinel(masterPort: number, name: string, masterPassword?: string): Promise<{ port: number; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'geosteer-sentinel-'));
  const port = await freePort();
  const conf = join(dir, 'sentinel.conf'); // Sentinel rewrites its config file, so it must be writable
  const auth = masterPassword !== undefined ? `sentinel auth-pass ${name} ${masterPassword}\n` : '';
  writeFileSync(conf, `port ${port}\nbind 127.0.0.1\nprotected-mode no\ndir ${dir}\nsentinel monitor ${name} 127.0.0.1 ${masterPort} 1\n${auth}`);
  const proc = spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore' });
  const stop = async () => {
    if (proc.exitCode === null) {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForPing(port);
  } catch (err) {
    await stop();
    throw err;
  }
  return { port, stop };
}

/** One primary of a TestRedisCluster. */
export interface ClusterNode {
  readonly port: number;
  /** The cluster node id (40 hex digits). */
  readonly id: string;
}

/** A Redis Cluster of primaries (no replicas) started by a test on free ports. */
export interface TestRedisCluster {
  readonly nodes: readonly ClusterNode[];
  /** Seed addresses for `state.cluster_nodes`. */
  readonly seeds: readonly { host: string; port: number }[];
  /** The hash slot of `key` (CLUSTER KEYSLOT). */
  slotOf(key: string): Promise<number>;
  /** The primary serving `slot` now. */
  ownerOf(slot: number): Promise<ClusterNode>;
  /** SIGKILL one primary: its slots are down (no replica takes over), the cluster reports fail. */
  kill(node: ClusterNode): Promise<void>;
  /** Starts it again on its port and data directory: same node id and slots (nodes.conf), data only when durable. */
  restart(node: ClusterNode): Promise<void>;
  /** Moves `slot` with its keys to `to` (IMPORTING/MIGRATING, MIGRATE, SETSLOT NODE), as redis-cli reshard does. */
  migrateSlot(slot: number, to: ClusterNode): Promise<void>;
  /** Resolves when every node reports cluster_state:ok with all 16384 slots served. */
  waitHealthy(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Runs one command on the node at `port` over a short-lived plain connection (authenticated with `password`, when given). */
async function onNode(port: number, password: string | undefined, ...args: (string | number)[]): Promise<unknown> {
  const conn = new Redis({ host: '127.0.0.1', port, password, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await conn.connect();
    return await conn.call(String(args[0]), ...args.slice(1).map(String));
  } finally {
    conn.disconnect();
  }
}

async function clusterHealthy(ports: readonly number[], password: string | undefined): Promise<boolean> {
  for (const port of ports) {
    const info = String(await onNode(port, password, 'CLUSTER', 'INFO').catch(() => ''));
    if (!info.includes('cluster_state:ok') || !info.includes('cluster_slots_ok:16384') || !info.includes(`cluster_known_nodes:${ports.length}`)) return false;
  }
  return true;
}

/**
 * Starts `primaries` redis-server processes in cluster mode on free loopback ports, joins them
 * with `redis-cli --cluster create` (slots split evenly, no replicas) and waits for
 * cluster_state:ok. `cluster-node-timeout` is 1 s so a killed primary is marked failed fast.
 * `password`: every node runs with `--requirepass` (and `--masterauth`).
 */
export async function startRedisCluster(opts: { primaries?: number; durable?: boolean; password?: string } = {}): Promise<TestRedisCluster> {
  const count = opts.primaries ?? 3;
  const { password } = opts;
  const run = (port: number, ...args: (string | number)[]) => onNode(port, password, ...args);
  const base = mkdtempSync(join(tmpdir(), 'geosteer-cluster-'));
  const servers: { port: number; kill(): Promise<void>; restart(): Promise<void> }[] = [];
  const stop = async () => {
    for (const s of servers) await s.kill();
    rmSync(base, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < count; i++) {
      const port = await freePort();
      const dir = join(base, String(port));
      mkdirSync(dir);
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--protected-mode', 'no', '--loglevel', 'warning', '--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '1000'];
      args.push(...(opts.durable ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']), ...requirePass(password));
      servers.push({ port, ...(await spawnRedis(args, port, password)) });
    }
    const ports = servers.map((s) => s.port);
    const auth = password !== undefined ? ['-a', password, '--no-auth-warning'] : [];
    await execFileAsync('redis-cli', [...auth, '--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], { timeout: 20_000 }).catch((err: { message: string; stdout?: string; stderr?: string }) => {
      throw new Error(`redis-cli --cluster create failed: ${err.message}${err.stdout ?? ''}${err.stderr ?? ''}`);
    });
    await eventually(() => clusterHealthy(ports, password), 'the new cluster reports cluster_state:ok on every node', 10_000);
    const nodes = await Promise.all(servers.map(async (s) => ({ port: s.port, id: String(await run(s.port, 'CLUSTER', 'MYID')) })));
    const server = (node: ClusterNode) => servers.find((s) => s.port === node.port)!;
    return {
      nodes,
      seeds: nodes.map((n) => ({ host: '127.0.0.1', port: n.port })),
      slotOf: async (key) => Number(await run(nodes[0].port, 'CLUSTER', 'KEYSLOT', key)),
      ownerOf: async (slot) => {
        const ranges = (await run(nodes[0].port, 'CLUSTER', 'SLOTS')) as [number, number, [string, number, string]][];
        const owner = ranges.find(([from, to]) => slot >= from && slot <= to);
        if (!owner) throw new Error(`no node serves slot ${slot}`);
        return nodes.find((n) => n.id === owner[2][2])!;
      },
      kill: (node) => server(node).kill(),
      restart: (node) => server(node).restart(),
      migrateSlot: async (slot, to) => {
        const ranges = (await run(to.port, 'CLUSTER', 'SLOTS')) as [number, number, [string, number, string]][];
        const from = nodes.find((n) => n.id === ranges.find(([a, b]) => slot >= a && slot <= b)?.[2][2]);
        if (!from) throw new Error(`no node serves slot ${slot}`);
        if (from.id === to.id) return;
        await run(to.port, 'CLUSTER', 'SETSLOT', slot, 'IMPORTING', from.id);
        await run(from.port, 'CLUSTER', 'SETSLOT', slot, 'MIGRATING', to.id);
        for (let batch = 0; batch < 1000; batch++) {
          const keys = (await run(from.port, 'CLUSTER', 'GETKEYSINSLOT', slot, 100)) as string[];
          if (keys.length === 0) break;
          await run(from.port, 'MIGRATE', '127.0.0.1', to.port, '', 0, 5000, ...(password !== undefined ? ['AUTH', password] : []), 'KEYS', ...keys);
        }
        for (const n of [to, from, ...nodes.filter((x) => x.id !== to.id && x.id !== from.id)]) await run(n.port, 'CLUSTER', 'SETSLOT', slot, 'NODE', to.id);
      },
      waitHealthy: (timeoutMs = 10_000) => eventually(() => clusterHealthy(ports, password), 'cluster_state:ok on every node', timeoutMs),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

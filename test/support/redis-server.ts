import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';

const IN_CI = process.env.CI === 'true';

/** True when a redis-server binary is on PATH. */
export function redisServerInstalled(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * `describe` for suites that need a real redis-server. Without one: in CI (CI=true) the suite
 * fails with a message saying what to install; elsewhere it is skipped with a loud warning.
 */
export function describeWithRedis(name: string, body: () => void): void {
  if (redisServerInstalled()) {
    describe(name, body);
    return;
  }
  const message = `redis-server is not installed (not on PATH): install it (apt-get install redis-server) to run "${name}"`;
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

/** Resolves true when `port` answers PING with PONG. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}

/** Polls until `port` answers PING, or throws at the deadline. */
export async function waitForPing(port: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await ping(port)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`redis on 127.0.0.1:${port} did not answer PING within ${timeoutMs} ms`);
}

/** A redis-server started by a test. */
export interface TestRedis {
  readonly port: number;
  readonly url: string;
  /** SIGKILL: no shutdown save, connections drop at once. */
  kill(): Promise<void>;
  /** Starts it again on the same port and data directory. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts redis-server on a free loopback port. `durable` keeps an append-only file fsynced on
 * every write in a temp dir, so a SIGKILL loses nothing that was acknowledged.
 */
export async function startRedis(opts: { durable?: boolean; extraArgs?: string[] } = {}): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'geosteer-redis-'));
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--protected-mode', 'no', '--loglevel', 'warning'];
  args.push(...(opts.durable ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']), ...(opts.extraArgs ?? []));
  let child: ChildProcess | undefined;

  const launch = async () => {
    const proc = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr?.on('data', (d) => (stderr += d));
    child = proc;
    try {
      await waitForPing(port);
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
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    kill,
    restart: launch,
    stop: async () => {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it returns true, or throws `what` at the deadline. */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A Sentinel (redis-server --sentinel) on a free port monitoring `masterPort` as `name`. */
export async function startSentinel(masterPort: number, name: string): Promise<{ port: number; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'geosteer-sentinel-'));
  const port = await freePort();
  const conf = join(dir, 'sentinel.conf'); // Sentinel rewrites its config file, so it must be writable
  writeFileSync(conf, `port ${port}\nbind 127.0.0.1\nprotected-mode no\ndir ${dir}\nsentinel monitor ${name} 127.0.0.1 ${masterPort} 1\n`);
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

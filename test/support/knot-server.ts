import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { buildQuery, sendUdp } from './dns-client.js';
import { waitFor } from './poll.js';

// Knot DNS (Debian package knot) serving zone files on 127.0.0.1, started by a test on a
// free port with a config generated in a temp dir: the reference a differential test
// compares geosteer's answers with.

/** A knotd started by a test. */
export interface KnotServer {
  readonly port: number;
  /** Stops knotd (SIGTERM, then SIGKILL after 2 s) and removes its temp dir. */
  stop(): Promise<void>;
}

/** A port free on 127.0.0.1 for both UDP and TCP (released just before knotd binds it). */
async function freeDnsPort(): Promise<number> {
  const tcp = createServer();
  await new Promise<void>((done, fail) => tcp.listen(0, '127.0.0.1', done).once('error', fail));
  const { port } = tcp.address() as { port: number };
  const udp = createSocket('udp4');
  const udpFree = await new Promise<boolean>((done) => {
    udp.once('error', () => done(false));
    udp.bind(port, '127.0.0.1', () => done(true));
  });
  await new Promise((done) => tcp.close(done));
  await new Promise<void>((done) => (udpFree ? udp.close(() => done()) : done()));
  return udpFree ? port : freeDnsPort();
}

function knotConfig(dir: string, port: number, zones: readonly { name: string; file: string }[]): string {
  const lines = ['server:', `  rundir: ${dir}`, `  listen: 127.0.0.1@${port}`, `  user: ${userInfo().username}`, 'database:', `  storage: ${dir}`, 'log:', '  - target: stderr', '    any: warning', 'zone:'];
  for (const z of zones) lines.push(`  - domain: ${z.name}`, `    file: ${resolve(z.file)}`, '    semantic-checks: on');
  return `${lines.join('\n')}\n`;
}

/** Starts knotd serving `zones` (files relative to the working directory) and waits until it answers for the first. */
export async function startKnot(zones: readonly { name: string; file: string }[]): Promise<KnotServer> {
  const dir = mkdtempSync(join(tmpdir(), 'geosteer-knotd-'));
  const port = await freeDnsPort();
  const conf = join(dir, 'knot.conf');
  writeFileSync(conf, knotConfig(dir, port, zones));
  const proc = spawn('knotd', ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((done) => proc.once('exit', () => done()));
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const probe = buildQuery({ name: zones[0].name, type: 'SOA', id: 1 });
    await waitFor(`knotd on 127.0.0.1:${port} to answer`, async () => {
      if (proc.exitCode !== null) throw new Error(`knotd exited with ${proc.exitCode}: ${stderr.trim()}`);
      const reply = await sendUdp(port, probe, '127.0.0.1', 200);
      return reply !== undefined && (reply[3] & 0x0f) === 0;
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return { port, stop };
}

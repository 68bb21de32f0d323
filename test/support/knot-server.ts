import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../../load/fuzz.mjs';
import { buildQuery, sendUdp } from './dns-client.js';
import { waitFor } from './poll.js';

// Knot DNS (Debian package knot) serving zone files on 127.0.0.1, started by a test on a
// free port with a config generated in a temp dir: the reference the differential tests
// compare geosteer's answers with.

/** What the Knot under comparison answers as itself (NSID, CHAOS, cookies). */
export interface KnotIdentity {
  /** server.nsid */
  readonly nsid: string;
  /** server.identity (CHAOS id.server, hostname.bind) */
  readonly identity: string;
  /** server.version (CHAOS version.bind) */
  readonly version: string;
  /** mod-cookies secret, 32 hex digits (RFC 9018 server cookies) */
  readonly cookieSecret: string;
}

/** A zone knotd serves: a file relative to the working directory, or the zone text itself. */
export type KnotZone = { readonly name: string; readonly file: string } | { readonly name: string; readonly text: string };

/** A knotd started by a test. */
export interface KnotServer {
  readonly port: number;
  /** Stops knotd (SIGTERM, then SIGKILL after 2 s) and removes its temp dir. */
  stop(): Promise<void>;
}

function knotConfig(dir: string, port: number, zoneFiles: readonly { name: string; file: string }[], id: KnotIdentity | undefined): string {
  const lines = ['server:', `  rundir: ${dir}`, `  listen: 127.0.0.1@${port}`, `  user: ${userInfo().username}`];
  if (id !== undefined) lines.push(`  nsid: ${JSON.stringify(id.nsid)}`, `  identity: ${JSON.stringify(id.identity)}`, `  version: ${JSON.stringify(id.version)}`);
  lines.push('database:', `  storage: ${dir}`, 'log:', '  - target: stderr', '    any: warning');
  if (id !== undefined) {
    lines.push('mod-cookies:', '  - id: shared', `    secret: 0x${id.cookieSecret}`);
    lines.push('template:', '  - id: default', `    storage: ${dir}`, '    global-module: mod-cookies/shared');
  }
  lines.push('zone:');
  for (const z of zoneFiles) lines.push(`  - domain: ${z.name}`, `    file: ${z.file}`, '    semantic-checks: on');
  return `${lines.join('\n')}\n`;
}

/** Starts knotd serving `zones` (with `identity`, its NSID, CHAOS names and cookie secret) and waits until it answers for the first. */
export async function startKnot(zones: readonly KnotZone[], identity?: KnotIdentity): Promise<KnotServer> {
  const dir = mkdtempSync(join(tmpdir(), 'geosteer-knotd-'));
  const port = await freePort();
  const zoneFiles = zones.map((z, i) => {
    if ('file' in z) return { name: z.name, file: resolve(z.file) };
    const file = join(dir, `zone-${i}.db`);
    writeFileSync(file, z.text);
    return { name: z.name, file };
  });
  const conf = join(dir, 'knot.conf');
  writeFileSync(conf, knotConfig(dir, port, zoneFiles, identity));
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
    }, 10_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { port, stop };
}

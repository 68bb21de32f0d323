import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../load/fuzz.mjs';
import { sendUdp } from './dns-client.js';
import { waitFor } from './poll.js';

/** What the Knot under comparison answers as itself. */
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

/** A knotd started on a free port of 127.0.0.1 with a generated config and one zone file. */
export interface KnotServer {
  readonly port: number;
  stop(): Promise<void>;
}

/** A query for `name` SOA without EDNS: what the start-up wait sends. */
function probe(name: string): Buffer {
  const labels = name.split('.').flatMap((l) => [Buffer.from([l.length]), Buffer.from(l)]);
  return Buffer.concat([Buffer.from([0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]), ...labels, Buffer.from([0, 0, 6, 0, 1])]);
}

/** Starts knotd serving `zone` (origin `origin`) from a temporary folder; resolves once it answers. */
export async function startKnot(origin: string, zone: string, id: KnotIdentity): Promise<KnotServer> {
  const dir = mkdtempSync(join(tmpdir(), 'geosteer-knot-'));
  const port = await freePort();
  writeFileSync(join(dir, 'zone.db'), zone);
  writeFileSync(
    join(dir, 'knot.conf'),
    [
      'server:',
      `    listen: 127.0.0.1@${port}`,
      `    rundir: ${dir}`,
      `    nsid: ${JSON.stringify(id.nsid)}`,
      `    identity: ${JSON.stringify(id.identity)}`,
      `    version: ${JSON.stringify(id.version)}`,
      'database:',
      `    storage: ${dir}`,
      'log:',
      '  - target: stderr',
      '    any: error',
      'mod-cookies:',
      '  - id: shared',
      `    secret: 0x${id.cookieSecret}`,
      'template:',
      '  - id: default',
      `    storage: ${dir}`,
      '    global-module: mod-cookies/shared',
      'zone:',
      `  - domain: ${origin}`,
      '    file: zone.db',
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn('knotd', ['-c', join(dir, 'knot.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitFor(`knotd answering on 127.0.0.1:${port}`, async () => {
      if (child.exitCode !== null) throw new Error(`knotd exited with ${child.exitCode}: ${stderr}`);
      return (await sendUdp(port, probe(origin), '127.0.0.1', 200)) !== undefined;
    }, 10_000);
  } catch (err) {
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    port,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

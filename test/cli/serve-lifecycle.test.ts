import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ask, buildQuery } from '../support/dns-client.js';
import { waitFor } from '../support/poll.js';
import { exampleDocument } from '../support/test-server.js';

let child: ChildProcess | undefined;
afterEach(() => {
  child?.kill('SIGKILL');
  child = undefined;
});

/** Starts `geosteer serve` on a copy of the example config with port 0; resolves with the UDP/TCP port from its start log line. */
function serve(): Promise<{ port: number; lines: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'geosteer-serve-'));
  const doc = exampleDocument();
  doc.dns.listen = ['127.0.0.1:0'];
  doc.dns.workers = 1; // one process: the start line names the bound port
  const file = join(dir, 'geosteer.yaml');
  writeFileSync(file, stringify(doc));
  const proc = spawn('node', ['dist/cli.js', 'serve', '--config', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  child = proc;
  const lines: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start line within 10 s:\n${lines.join('\n')}`)), 10_000);
    let buf = '';
    proc.stdout!.on('data', (chunk: Buffer) => {
      buf += chunk.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        lines.push(line);
        const entry = JSON.parse(line) as { msg: string; listen?: { port: number }[] };
        if (entry.msg === 'geosteer serving') {
          clearTimeout(timer);
          resolve({ port: entry.listen![0].port, lines });
        }
      }
    });
    proc.on('exit', (code) => reject(new Error(`exited ${code} before serving:\n${lines.join('\n')}`)));
  });
}

it('serves, logs structured JSON, and on SIGTERM finishes an in-flight TCP query then exits 0', async () => {
  const { port, lines } = await serve();
  const start = JSON.parse(lines.at(-1)!);
  expect(start).toMatchObject({ level: 30, service: 'geosteer', msg: 'geosteer serving' });
  expect((await ask(port, { name: 'api.example.com', ecs: '202.32.0.0/24' })).answers).toEqual(['198.51.100.30']);

  // A TCP client that has sent the first byte of its query when SIGTERM arrives.
  const socket = net.connect({ port, host: '127.0.0.1' });
  await new Promise((r) => socket.once('connect', r));
  const query = buildQuery({ name: 'api.example.com', ecs: '8.8.8.0/24', id: 7 });
  const frame = Buffer.concat([Buffer.from([query.length >> 8, query.length & 0xff]), query]);
  socket.write(frame.subarray(0, 1));
  const reply = new Promise<Buffer>((resolve) => socket.once('data', resolve));
  const exited = new Promise<number | null>((resolve) => child!.once('exit', resolve));
  child!.kill('SIGTERM');
  await waitFor('the stopping log line', () => lines.some((l) => l.includes('"stopping: no new queries')));
  socket.write(frame.subarray(1));
  const raw = await reply;
  expect(raw.readUInt16BE(2)).toBe(7); // the id of the in-flight query
  socket.end();
  expect(await exited).toBe(0);
}, 20_000);

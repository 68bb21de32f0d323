import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ask } from '../support/dns-client.js';
import { waitFor } from '../support/poll.js';
import { exampleDocument } from '../support/test-server.js';

// The real entry point: the compiled dist/cli.js that `npm test` builds first (Node 20 has no
// TypeScript type stripping).
const TOKEN = 'cli-test-token-0123456789';
let child: ChildProcess;
let dir: string;
let configPath: string;
let dnsPort: number;
let adminUrl: string;
const lines: any[] = [];

function docWith(address: string) {
  const doc = exampleDocument();
  doc.dns.listen = ['127.0.0.1:0'];
  doc.dns.workers = 1; // one process: the start line names the bound port
  doc.admin.listen = '127.0.0.1:0';
  doc.log = { level: 'info' };
  doc.regions.tokyo.endpoints[0].address = address;
  return doc;
}


beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'geosteer-cli-'));
  configPath = join(dir, 'geosteer.yaml');
  writeFileSync(configPath, stringify(docWith('198.51.100.30')));
  child = spawn(process.execPath, ['dist/cli.js', 'serve', '--config', configPath], { env: { ...process.env, GEOSTEER_ADMIN_TOKEN: TOKEN }, stdio: ['ignore', 'pipe', 'pipe'] });
  createInterface({ input: child.stdout! }).on('line', (l) => lines.push(JSON.parse(l)));
  const serving = await waitFor('geosteer serving', () => lines.find((l) => l.msg === 'geosteer serving'), 10_000);
  dnsPort = serving.listen[0].port;
  adminUrl = `http://127.0.0.1:${serving.admin.port}`;
});
afterAll(async () => {
  if (child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

const japan = async () => (await ask(dnsPort, { name: 'api.example.com', ecs: '202.32.0.0/24' })).answers;

describe('geosteer serve with an admin section', () => {
  it('is ready, serves open metrics, and takes the write token from GEOSTEER_ADMIN_TOKEN', async () => {
    expect((await fetch(`${adminUrl}/readyz`)).status).toBe(200);
    expect(await (await fetch(`${adminUrl}/metrics`)).text()).toContain('geosteer_region_weight{region="tokyo"} 100');
    expect((await fetch(`${adminUrl}/v1/regions`)).status).toBe(401);
    const put = await fetch(`${adminUrl}/v1/regions/us-west/weight`, { method: 'PUT', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ weight: 30, reason: 'cli test' }) });
    expect(put.status).toBe(200);
    const audit = await waitFor('audit log line', () => lines.find((l) => l.event?.type === 'audit'));
    expect(audit.event.detail).toMatchObject({ token: 'ops', action: 'set weight', reason: 'cli test' });
  });

  it('SIGHUP with a broken file keeps the old answers; with a good file switches', async () => {
    expect(await japan()).toEqual(['198.51.100.30']);
    writeFileSync(configPath, 'zones: [\n');
    child.kill('SIGHUP');
    await waitFor('config_rejected', () => lines.find((l) => l.event?.type === 'config_rejected'));
    expect(await japan()).toEqual(['198.51.100.30']);
    writeFileSync(configPath, stringify(docWith('198.51.100.31')));
    child.kill('SIGHUP');
    await waitFor('config_reloaded', () => lines.find((l) => l.event?.type === 'config_reloaded'));
    expect(await japan()).toEqual(['198.51.100.31']);
  });
});

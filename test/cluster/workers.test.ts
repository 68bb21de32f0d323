import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../load/fuzz.mjs';
import { buildCountryCodeMmdb } from '../../scripts/build-test-mmdb.js';
import { BUNDLED_GEOIP_DATABASE } from '../../src/geo/bundled-database.js';
import { openGeoDatabase } from '../../src/geo/mmdb-geo-database.js';
import { dig } from '../support/dig.js';
import { ask } from '../support/dns-client.js';
import { waitFor } from '../support/poll.js';
import { exampleDocument, startServer, type TestServer } from '../support/test-server.js';

// The production wiring with dns.workers: 2: two real cluster workers (the compiled
// dist/cluster/dns-worker-main.js) on one free port, fed by this process's control plane.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WORKER_ENTRY = `${ROOT}dist/cluster/dns-worker-main.js`;
const TW = '1.34.5.0/24';

let server: TestServer;
let port: number;
let dir: string;
let geoPath: string;

beforeAll(async () => {
  // the worker runs compiled code; build when this checkout has not been built yet
  if (!existsSync(WORKER_ENTRY)) execFileSync(process.execPath, [`${ROOT}node_modules/typescript/bin/tsc`, '-p', `${ROOT}tsconfig.build.json`]);
  dir = mkdtempSync(join(tmpdir(), 'geosteer-workers-'));
  geoPath = join(dir, 'country.mmdb');
  copyFileSync(BUNDLED_GEOIP_DATABASE, geoPath);
  port = await freePort();
  const doc = exampleDocument();
  doc.dns.listen = [`127.0.0.1:${port}`];
  doc.geoip = { database: geoPath, reload_check_interval: '60s' };
  // the NSID and the generated cookie secret are the primary's, sent with the config
  doc.dns.nsid = 'primary-nsid';
  doc.dns.cookies = { require: true };
  server = await startServer(doc, { workers: 2, workerEntry: WORKER_ENTRY, workersSilent: true, dnsListen: undefined, geo: await openGeoDatabase(geoPath) });
}, 30_000);

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const workers = () => server.service.admin!.inject({ method: 'GET', url: '/readyz' }).then((r) => r.json().workers as { pid: number; seq: number; geoipGeneration: number; compiles: number }[]);
const taiwanese = async () => (await ask(port, { name: 'api.example.com', ecs: TW })).answers;

/** Asks until every answer of 20 in a row (fresh source ports: both workers) is `expected`. */
async function allWorkersAnswer(expected: string[], ecs = TW): Promise<void> {
  await waitFor(`every worker answers ${expected}`, async () => {
    for (let i = 0; i < 20; i++) if ((await ask(port, { name: 'api.example.com', ecs })).answers.join() !== expected.join()) return false;
    return true;
  }, 2000);
}

describe('DNS workers (node:cluster)', () => {
  it('two workers answer on the shared port; the primary answers no DNS itself', async () => {
    expect(server.started.workers).toHaveLength(2);
    expect(server.service.handler).toBeUndefined();
    await allWorkersAnswer(['198.51.100.10']);
  });

  it('a weight change on the primary reaches every worker, and each worker compiles once for it', async () => {
    const before = await workers();
    await server.service.state.setWeight('taiwan', 0);
    await allWorkersAnswer(['198.51.100.30']);
    const after = await waitFor('both workers applied the update', async () => {
      const now = await workers();
      return now.every((w, i) => w.seq > before[i].seq) && now;
    });
    expect(after.map((w, i) => w.compiles - before[i].compiles)).toEqual([1, 1]);
    await server.service.state.setWeight('taiwan', null);
    await allWorkersAnswer(['198.51.100.10']);
  });

  it('health from the primary (taiwan down) reaches the workers', async () => {
    await server.setHealth({ regionUp: (r) => r !== 'taiwan', endpointUp: () => true });
    await allWorkersAnswer(['198.51.100.30']);
    await server.setHealth({ regionUp: () => true, endpointUp: () => true });
    await allWorkersAnswer(['198.51.100.10']);
  });

  it("the primary's /metrics sums every worker's query counters", async () => {
    const udpTotal = async () => {
      const text = (await server.service.metrics.render()).body;
      return [...text.matchAll(/^geosteer_dns_answers_total\{name="api.example.com",region="us-west"\} (\d+)$/gm)].map((m) => Number(m[1]));
    };
    const [before = 0] = await udpTotal();
    for (let i = 0; i < 10; i++) await ask(port, { name: 'api.example.com', ecs: '8.8.8.0/24' });
    expect(await udpTotal()).toEqual([before + 10]);
    const { body } = await server.service.metrics.render();
    expect(body.match(/^# TYPE geosteer_dns_queries_total /gm)).toHaveLength(1);
  });

  it('endpoints reported by a source on the primary reach the workers', async () => {
    const JP = '202.32.0.0/24';
    await server.setEndpoints('tokyo', { endpoints: [{ id: 'ingress-a', address: '198.51.100.99', family: 4 }], cname: undefined });
    await allWorkersAnswer(['198.51.100.99'], JP);
    await server.setEndpoints('tokyo', undefined);
    await allWorkersAnswer(['198.51.100.30'], JP);
  });

  it("every worker answers with the primary's NSID and accepts the server cookie any worker made (one secret for all)", async () => {
    const first = await dig(port, ['+cookie=0102030405060708', '+nobadcookie', '+nsid', 'api.example.com', 'A']);
    expect([first.status, first.nsid]).toEqual(['BADCOOKIE', 'primary-nsid']);
    // each dig is a new process with a new source port: SO_REUSEPORT spreads 20 of them over both workers
    for (let i = 0; i < 20; i++) {
      const reply = await dig(port, [`+cookie=${first.cookie}`, '+nobadcookie', '+nsid', 'api.example.com', 'A']);
      expect([i, reply.status, reply.nsid, reply.cookie]).toEqual([i, 'NOERROR', 'primary-nsid', first.cookie]);
    }
  });

  it('a replaced GeoIP file: the primary validates it and hands every worker exactly that database', async () => {
    // the new database places the Taiwanese test prefix in Japan
    const next = join(dir, 'next.mmdb');
    buildCountryCodeMmdb(next, [{ network: '1.34.0.0/16', country: 'JP' }]);
    renameSync(next, geoPath);
    await server.service.control.settled();
    await waitFor('generation 2 in every worker', async () => (await workers()).every((w) => w.geoipGeneration === 2), 5000);
    expect(server.snapshot().inputs.geo.generation).toBe(2);
    expect(server.events.list({ type: 'geoip_reloaded' })).toHaveLength(1);
    await allWorkersAnswer(['198.51.100.30']);
    expect(server.service.explain('api.example.com', TW).chosen).toBe('tokyo');
    expect((await server.service.admin!.inject({ method: 'GET', url: '/readyz' })).json()).toMatchObject({ ready: true, geoip_generation: 2 });
    expect(await taiwanese()).toEqual(['198.51.100.30']);
  });
});

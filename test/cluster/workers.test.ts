import cluster, { type Worker } from 'node:cluster';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App } from '../../src/app.js';
import { parseConfigText } from '../../src/config/load.js';
import { askWorkerMetrics } from '../../src/cluster/dns-workers.js';
import { WorkerSync } from '../../src/cluster/worker-sync.js';
import { createMetrics, type WorkerMetrics } from '../../src/metrics/create-metrics.js';
import { BUNDLED_GEOIP_DATABASE } from '../../src/geo/bundled-database.js';
import { silentLogger } from '../../src/shared/logger.js';
import { freePort } from '../../load/fuzz.mjs';
import { ask } from '../support/dns-client.js';
import { bundledGeo, exampleDocument } from '../support/test-server.js';

// Two real cluster workers (dist/cluster/dns-worker-main.js) on one free port; this test
// process is the primary: it owns the App and the state, and WorkerSync feeds the workers.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WORKER_ENTRY = `${ROOT}dist/cluster/dns-worker-main.js`;

let app: App;
let sync: WorkerSync;
let port: number;
const workers: Worker[] = [];

beforeAll(async () => {
  // the worker runs compiled code; build when this checkout has not been built yet
  if (!existsSync(WORKER_ENTRY)) execFileSync(process.execPath, [`${ROOT}node_modules/typescript/bin/tsc`, '-p', `${ROOT}tsconfig.build.json`]);
  port = await freePort();
  const doc = exampleDocument();
  doc.dns.listen = [`127.0.0.1:${port}`];
  const text = stringify(doc);
  app = new App(parseConfigText(text, 'workers-test.yaml'), { log: silentLogger(), geo: await bundledGeo() });
  sync = new WorkerSync(app, () => text, BUNDLED_GEOIP_DATABASE);
  cluster.setupPrimary({ exec: WORKER_ENTRY, execArgv: [], silent: true });
  const ready: Promise<void>[] = [];
  for (let i = 0; i < 2; i++) {
    const w = cluster.fork({ GEOSTEER_LOG_LEVEL: 'silent' });
    workers.push(w);
    ready.push(new Promise((resolve) => w.on('message', (m) => m?.type === 'geosteer:ready' && resolve())));
    sync.add(w);
  }
  await Promise.all(ready);
}, 30_000);

afterAll(async () => {
  sync?.close();
  await Promise.all(workers.map((w) => new Promise((resolve) => (w.isDead() ? resolve(undefined) : (w.once('exit', resolve), w.kill())))));
  await app?.close();
});

/** Asks until `check` holds for an answer; returns the time it took. */
async function answersWithin(ms: number, check: (answers: string[]) => boolean): Promise<number> {
  const start = Date.now();
  for (;;) {
    const r = await ask(port, { name: 'api.example.com', ecs: '1.34.5.0/24' });
    if (check(r.answers)) return Date.now() - start;
    if (Date.now() - start > ms) throw new Error(`answers still ${r.answers} after ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('DNS workers (node:cluster)', () => {
  it('two workers answer on the shared port', async () => {
    const pids = new Set<number>();
    for (const w of workers) pids.add(w.process.pid!);
    expect(pids.size).toBe(2);
    // a Taiwanese client: primary region taiwan
    expect(await answersWithin(1000, (a) => a[0] === '198.51.100.10')).toBeLessThan(1000);
  });

  it('a weight change on the primary reaches every worker within a second', async () => {
    await app.state.setWeight('taiwan', 0);
    // several queries from fresh source ports spread over both workers; all must see tokyo
    await answersWithin(1000, (a) => a[0] === '198.51.100.30');
    for (let i = 0; i < 20; i++) expect((await ask(port, { name: 'api.example.com', ecs: '1.34.5.0/24' })).answers).toEqual(['198.51.100.30']);
    await app.state.setWeight('taiwan', null);
    await answersWithin(1000, (a) => a[0] === '198.51.100.10');
  });

  it('health from the primary (taiwan down) reaches the workers', async () => {
    app.setHealth({ regionUp: (r) => r !== 'taiwan', endpointUp: () => true });
    await answersWithin(1000, (a) => a[0] === '198.51.100.30');
    for (let i = 0; i < 20; i++) expect((await ask(port, { name: 'api.example.com', ecs: '1.34.5.0/24' })).answers).toEqual(['198.51.100.30']);
    app.setHealth({ regionUp: () => true, endpointUp: () => true });
    await answersWithin(1000, (a) => a[0] === '198.51.100.10');
  });

  it("the primary's /metrics sums every worker's query counters", async () => {
    const udpQueries = (all: WorkerMetrics[]) =>
      all.flat().filter((m) => m.name === 'geosteer_dns_queries_total').flatMap((m) => m.values).filter((v) => v.labels.transport === 'udp').reduce((n, v) => n + v.value, 0);
    const collect = async () => (await Promise.all(workers.map((w) => askWorkerMetrics(w, 2000)))).filter((m) => m !== undefined);
    const before = udpQueries(await collect());
    for (let i = 0; i < 10; i++) await ask(port, { name: 'api.example.com', ecs: '8.8.8.0/24' });
    const after = await collect();
    expect(after).toHaveLength(2);
    expect(udpQueries(after) - before).toBe(10);
    const primary = createMetrics({ defaultMetrics: false });
    primary.setRemote(collect);
    const { body } = await primary.render();
    expect(body).toMatch(/geosteer_dns_answers_total\{name="api.example.com",region="us-west"\} 10/);
    expect(body.match(/^# TYPE geosteer_dns_queries_total /gm)).toHaveLength(1);
  });

  it('endpoints reported by a source on the primary reach the workers', async () => {
    const japan = async () => (await ask(port, { name: 'api.example.com', ecs: '202.32.0.0/24' })).answers;
    app.setRegionEndpoints('tokyo', [{ id: 'ingress-a', address: '198.51.100.99', family: 4 }]);
    const deadline = Date.now() + 1000;
    while ((await japan())[0] !== '198.51.100.99' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (let i = 0; i < 10; i++) expect(await japan()).toEqual(['198.51.100.99']);
    app.clearRegionEndpoints('tokyo');
    const back = Date.now() + 1000;
    while ((await japan())[0] !== '198.51.100.30' && Date.now() < back) await new Promise((r) => setTimeout(r, 20));
    for (let i = 0; i < 10; i++) expect(await japan()).toEqual(['198.51.100.30']);
  });
});

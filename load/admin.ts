// Admin API load test: autocannon against GET /v1/regions, GET /v1/explain and GET /metrics
// while the DNS server answers a steady stream of UDP queries.
//
//   npm run load:admin                      (10 s per route; LOAD_SECONDS=5 to shorten)
//
// Threads: geosteer (buildService: DNS and the admin server on one event loop, as in production)
// runs in one worker thread, the DNS query generator in another, autocannon on the main
// thread, so the load generators' own work does not sit on the server's event loop.
// Everything is on 127.0.0.1 with ports picked by the OS; the run is bounded by LOAD_SECONDS.
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import autocannon from 'autocannon';
import { parse } from 'yaml';
import { parseConfig } from '../src/config/load.js';
import { buildService } from '../src/service/build-service.js';
import { silentLogger } from '../src/shared/logger.js';

const SECONDS = Math.min(Math.max(Number(process.env.LOAD_SECONDS ?? 10), 1), 60);
const CONNECTIONS = 10;
const DNS_IN_FLIGHT = 32;
const ROUTES = ['/v1/regions', '/v1/explain?name=api.example.com&client=203.116.0.0/24', '/metrics'];

interface RouteResult {
  route: string;
  requestsPerSecond: number;
  p50ms: number;
  p99ms: number;
  non2xx: number;
  errors: number;
}

/** A DNS query for api.example.com A with an ECS option (RFC 7871) for `subnet` (a /24). */
function dnsQuery(id: number, subnet: [number, number, number]): Buffer {
  const qname = Buffer.from([3, ...Buffer.from('api'), 7, ...Buffer.from('example'), 3, ...Buffer.from('com'), 0]);
  const header = Buffer.from([id >> 8, id & 0xff, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1]);
  const question = Buffer.concat([qname, Buffer.from([0, 1, 0, 1])]);
  // OPT: root name, type 41, payload 1232, ext-rcode/version/flags 0, rdlen 11, ECS code 8 len 7 family 1 /24 scope 0 + 3 bytes
  const opt = Buffer.from([0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 11, 0, 8, 0, 7, 0, 1, 24, 0, ...subnet]);
  return Buffer.concat([header, question, opt]);
}

/** Worker: keeps DNS_IN_FLIGHT queries outstanding until told to stop; reports answers per second. */
async function dnsLoad(port: number): Promise<void> {
  const subnets: [number, number, number][] = [[1, 34, 5], [203, 116, 0], [202, 32, 0], [8, 8, 8], [189, 0, 0], [24, 48, 0]];
  const socket = dgram.createSocket('udp4');
  let sent = 0;
  let answered = 0;
  let running = true;
  const start = Date.now();
  const send = () => {
    if (!running) return;
    sent++;
    socket.send(dnsQuery(sent & 0xffff, subnets[sent % subnets.length]), port, '127.0.0.1');
  };
  socket.on('message', () => {
    answered++;
    send();
  });
  // Lost datagrams would shrink the window: top it up every 100 ms.
  const topUp = setInterval(() => {
    for (let i = sent - answered; i < DNS_IN_FLIGHT; i++) send();
  }, 100);
  for (let i = 0; i < DNS_IN_FLIGHT; i++) send();
  await new Promise<void>((resolve) => parentPort!.once('message', () => resolve()));
  running = false;
  clearInterval(topUp);
  socket.close();
  parentPort!.postMessage({ answered, sent, seconds: (Date.now() - start) / 1000 });
}

/** Worker: geosteer (DNS + admin API) on one event loop, as in production; posts its ports. */
async function serve(): Promise<void> {
  const doc = parse(readFileSync('config/geosteer.example.yaml', 'utf8'));
  doc.dns.listen = ['127.0.0.1:0'];
  doc.dns.workers = 1;
  doc.log = { level: 'silent' };
  doc.admin = { listen: '127.0.0.1:0', tokens: [{ name: 'load', scope: 'read', token: workerData.token }], open_endpoints: ['healthz', 'readyz'] };
  const loaded = parseConfig(doc, 'load/admin.ts (example config)');
  const service = await buildService(loaded, { log: silentLogger(), env: {} });
  const started = await service.start();
  parentPort!.postMessage({ dnsPort: started.dns[0].port, adminPort: started.admin!.port });
  await new Promise<void>((resolve) => parentPort!.once('message', () => resolve()));
  await service.stop();
  parentPort!.postMessage('closed');
}

function reply<T>(worker: Worker): Promise<T> {
  return new Promise<T>((resolve, reject) => worker.once('message', resolve).once('error', reject));
}

// autocannon runs on the main thread: it treats being inside a worker thread as its own
// multi-worker mode, so the server and the DNS generator are the workers here.
async function main(): Promise<void> {
  const token = randomBytes(24).toString('hex');
  const self = fileURLToPath(import.meta.url);
  const server = new Worker(self, { workerData: { role: 'server', token } });
  const { dnsPort, adminPort } = await reply<{ dnsPort: number; adminPort: number }>(server);
  const dnsWorker = new Worker(self, { workerData: { role: 'dns', port: dnsPort } });
  const routes: RouteResult[] = [];
  for (const route of ROUTES) {
    const r = await autocannon({ url: `http://127.0.0.1:${adminPort}${route}`, connections: CONNECTIONS, duration: SECONDS, headers: { authorization: `Bearer ${token}` } });
    routes.push({ route, requestsPerSecond: r.requests.average, p50ms: r.latency.p50, p99ms: r.latency.p99, non2xx: r.non2xx, errors: r.errors });
  }
  const dnsDone = reply<{ answered: number; sent: number; seconds: number }>(dnsWorker);
  dnsWorker.postMessage('stop');
  const dnsResult = await dnsDone;
  const closed = reply<string>(server);
  server.postMessage('stop');
  await closed;
  await Promise.all([server.terminate(), dnsWorker.terminate()]);

  process.stdout.write(`admin API under load (${CONNECTIONS} connections, ${SECONDS} s per route, node ${process.version}):\n`);
  for (const r of routes) {
    process.stdout.write(`  GET ${r.route.padEnd(58)} ${r.requestsPerSecond.toFixed(0).padStart(7)} req/s  p50 ${r.p50ms} ms  p99 ${r.p99ms} ms  non-2xx ${r.non2xx}  errors ${r.errors}\n`);
  }
  process.stdout.write(`DNS meanwhile: ${dnsResult.answered} answers in ${dnsResult.seconds.toFixed(1)} s = ${(dnsResult.answered / dnsResult.seconds).toFixed(0)} answers/s (${DNS_IN_FLIGHT} in flight, UDP)\n`);
}

if (isMainThread) {
  main().catch((err) => {
    process.stderr.write(`load/admin: ${(err as Error).stack}\n`);
    process.exit(1); // the workers would keep the process alive
  });
} else if (workerData.role === 'dns') {
  void dnsLoad(workerData.port);
} else {
  void serve();
}

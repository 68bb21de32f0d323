#!/usr/bin/env node
// DNS benchmark: starts geosteer (from dist/) on a free 127.0.0.1 port, pinned to one core,
// and runs dnsperf (Debian package) pinned to the other with a realistic mix:
//   80% api.example.com A/AAAA with ECS from many countries' real prefixes (each checked
//       against the bundled GeoLite2 data first), 10% static names, 10% NXDOMAIN;
// reports max queries/s and loss, latency avg/p50/p99/p99.9 at a fixed offered rate, a
// random-/24 ECS run, and resident memory.
//
//   node load/dns-bench.mjs [--config config/geosteer.example.yaml] [--duration 10]
//        [--rate 20000] [--server-cpu 1] [--load-cpu 0] [--workers N] [--no-build]
//        [--peers]   (afterwards: ../shared/bench/run-peers.sh with gdnsd, PowerDNS and
//                     geosteer on config/bench/geosteer.bench.yaml, one short round)
//        [--cpu-prof DIR]  (run geosteer under node --cpu-prof, profiles written to DIR)
//        [--floor]  (afterwards: the same fixed-rate run against load/udp-echo-floor.mjs, a
//                    Node UDP echo doing no DNS work, on the same core: the runtime's floor)
//        [--path auto|dgram|both]  (UDP path: auto = the native recvmmsg/sendmmsg addon where
//                    built; dgram = node:dgram; both = the whole set once on each, one after the
//                    other, with their per-core-second ratio: the figure that survives noise)
// Each run also reports the server's CPU seconds (/proc) and queries per server core-second.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import maxmind from 'maxmind';
import { build, cpuSeconds, freePort, rssMiB, startGeosteer } from './fuzz.mjs';
import { ecsData, plainQuery, seededRandom, tcpFrame } from './hostile-packets.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

// Real client prefixes: [prefix, country we expect]. Each is looked up in the bundled data
// before use; the table prints what the data says.
const PREFIXES = [
  ['1.34.5.0/24', 'TW'], ['168.95.1.0/24', 'TW'], ['2001:b000::/48', 'TW'],
  ['203.116.0.0/24', 'SG'], ['2406:3003::/48', 'SG'], ['175.136.0.0/24', 'MY'],
  ['202.32.0.0/24', 'JP'], ['1.11.0.0/24', 'KR'],
  ['8.8.8.0/24', 'US'], ['24.48.0.0/24', 'CA'], ['187.128.0.0/24', 'MX'],
  ['189.0.0.0/24', 'BR'], ['81.2.69.0/24', 'GB'], ['85.214.0.0/24', 'DE'],
  ['90.0.0.0/24', 'FR'], ['1.120.0.0/24', 'AU'], ['117.192.0.0/24', 'IN'],
  ['14.160.0.0/24', 'VN'], ['112.198.0.0/24', 'PH'], ['36.64.0.0/24', 'ID'],
];
const STATIC = [['example.com', 6], ['example.com', 2], ['ns1.example.com', 1], ['www.example.com', 1], ['example.com', 15], ['example.com', 16]];

function maskedBytes(ip, prefix) {
  let bytes;
  if (ip.includes(':')) {
    const [head, tail = ''] = ip.split('::');
    const h = head ? head.split(':') : [];
    const t = tail ? tail.split(':') : [];
    const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t].map((g) => parseInt(g, 16));
    bytes = groups.flatMap((g) => [g >> 8, g & 0xff]);
  } else bytes = ip.split('.').map(Number);
  return bytes.map((b, i) => (prefix - i * 8 >= 8 ? b : prefix - i * 8 <= 0 ? 0 : b & (0xff << (8 - (prefix - i * 8)))));
}

/** One query in dnsperf's -B framing (2-byte length + message). */
function frame(name, type, ecs) {
  return tcpFrame(plainQuery(name, type, ecs ? [{ code: 8, data: ecsData(ecs.family, ecs.prefix, ecs.bytes) }] : []));
}

/** Checks the prefixes against the bundled data; returns the usable ones with their country. */
async function verifiedPrefixes() {
  const { BUNDLED_GEOIP_DATABASE } = await import(join(ROOT, 'dist/geo/bundled-database.js'));
  const reader = await maxmind.open(BUNDLED_GEOIP_DATABASE);
  const out = [];
  for (const [cidr, expected] of PREFIXES) {
    const [ip, p] = cidr.split('/');
    const rec = reader.get(ip);
    const country = rec?.country_code ?? rec?.country?.iso_code;
    if (country !== expected) console.log(`  prefix ${cidr}: bundled data says ${country ?? 'nothing'}, expected ${expected}; dropped`);
    else out.push({ cidr, country, family: ip.includes(':') ? 2 : 1, prefix: Number(p), bytes: maskedBytes(ip, Number(p)) });
  }
  return out;
}

/** The realistic mix, `count` queries. */
function mixFile(prefixes, count, seed) {
  const rand = seededRandom(seed);
  const frames = [];
  for (let i = 0; i < count; i++) {
    const r = rand();
    if (r < 0.8) frames.push(frame('api.example.com', rand() < 0.75 ? 1 : 28, prefixes[Math.floor(rand() * prefixes.length)]));
    else if (r < 0.9) {
      const [name, type] = STATIC[Math.floor(rand() * STATIC.length)];
      frames.push(frame(name, type, undefined));
    } else frames.push(frame(`nx${Math.floor(rand() * 10000)}.example.com`, 1, undefined));
  }
  return Buffer.concat(frames);
}

/** Same mix, but every steered query carries a new random public /24 (defeats the prefix cache). */
function randomEcsFile(count, seed) {
  const rand = seededRandom(seed);
  const frames = [];
  for (let i = 0; i < count; i++) {
    let a, b;
    do {
      a = 1 + Math.floor(rand() * 223);
      b = Math.floor(rand() * 256);
    } while (a === 10 || a === 127 || (a === 172 && b >= 16 && b < 32) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b < 128) || (a === 169 && b === 254));
    const ecs = { family: 1, prefix: 24, bytes: [a, b, Math.floor(rand() * 256), 0] };
    const r = rand();
    if (r < 0.8) frames.push(frame('api.example.com', 1, ecs));
    else if (r < 0.9) frames.push(frame('example.com', 6, ecs));
    else frames.push(frame(`nx${Math.floor(rand() * 10000)}.example.com`, 1, ecs));
  }
  return Buffer.concat(frames);
}

/** Runs dnsperf; returns its summary figures (and latency percentiles with -v). */
function dnsperf({ cpu, port, file, duration, extra = [], verbose = false }) {
  const args = ['-c', String(cpu), 'dnsperf', '-s', '127.0.0.1', '-p', String(port), '-B', '-d', file, '-l', String(duration), '-t', '2', '-c', '8', ...extra, ...(verbose ? ['-v'] : [])];
  const r = spawnSync('taskset', args, { encoding: 'utf8', maxBuffer: 1 << 30 });
  const out = r.stdout;
  const num = (re) => Number((re.exec(out) ?? [])[1]);
  const result = {
    sent: num(/Queries sent:\s+(\d+)/),
    completed: num(/Queries completed:\s+(\d+)/),
    lostPct: num(/Queries lost:\s+\d+ \(([\d.]+)%\)/),
    qps: num(/Queries per second:\s+([\d.]+)/),
    avgUs: num(/Average Latency \(s\):\s+([\d.]+)/) * 1e6,
    rcodes: (/Response codes:\s+(.*)/.exec(out) ?? [])[1],
  };
  if (verbose) {
    const lat = [];
    for (const line of out.split('\n')) {
      if (line.charCodeAt(0) !== 62 || line.startsWith('> T ')) continue;
      const v = Number(line.slice(line.lastIndexOf(' ') + 1));
      if (Number.isFinite(v)) lat.push(v * 1e6);
    }
    const a = Float64Array.from(lat).sort();
    const q = (p) => (a.length ? a[Math.min(a.length - 1, Math.floor(p * a.length))] : NaN);
    Object.assign(result, { p50Us: q(0.5), p99Us: q(0.99), p999Us: q(0.999) });
  }
  if (!(result.sent > 0)) throw new Error(`dnsperf failed: ${r.stderr || out}`);
  return result;
}

const fmt = (n, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : '-');

async function main() {
  const { values } = parseArgs({
    options: {
      config: { type: 'string', default: join(ROOT, 'config/geosteer.example.yaml') },
      duration: { type: 'string', default: '10' },
      rate: { type: 'string', default: '20000' },
      'server-cpu': { type: 'string', default: '1' },
      'load-cpu': { type: 'string', default: '0' },
      workers: { type: 'string' },
      'no-build': { type: 'boolean' },
      peers: { type: 'boolean' },
      'cpu-prof': { type: 'string' },
      floor: { type: 'boolean' },
      path: { type: 'string', default: 'auto' },
    },
  });
  if (!['auto', 'dgram', 'both'].includes(values.path)) throw new Error(`--path: expected auto, dgram or both, got ${values.path}`);
  if (spawnSync('dnsperf', ['-h']).error) throw new Error('dnsperf is not installed: apt-get install -y dnsperf');
  if (!values['no-build']) build();
  const duration = Number(values.duration);
  const dir = mkdtempSync(join(tmpdir(), 'geosteer-bench-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  console.log('checking client prefixes against the bundled GeoLite2 data:');
  const prefixes = await verifiedPrefixes();
  console.log(`  ${prefixes.length} prefixes: ${prefixes.map((p) => `${p.country} ${p.cidr}`).join(', ')}`);
  const mix = join(dir, 'mix.bin');
  const random = join(dir, 'random-ecs.bin');
  writeFileSync(mix, mixFile(prefixes, 100000, 1));
  writeFileSync(random, randomEcsFile(100000, 2));

  const nodeArgs = values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${resolve(values['cpu-prof'])}`] : [];
  const extra = values.workers ? { dns: { workers: Number(values.workers) } } : {};
  const paths = values.path === 'both' ? ['auto', 'dgram'] : [values.path];
  const perCore = {};
  for (const udp of paths) {
    const port = await freePort();
    const server = await startGeosteer({ configPath: resolve(values.config), port, nodeArgs, extra, udp });
    try {
      if (!values.workers) execFileSync('taskset', ['-pc', values['server-cpu'], String(server.child.pid)], { stdio: 'ignore' });
      const cpu = values['load-cpu'];
      /** dnsperf plus the server's CPU seconds over the run (the main process; workers are not counted). */
      const measured = (opts) => {
        const before = cpuSeconds(server.child.pid);
        const r = dnsperf({ cpu, port, ...opts });
        return { ...r, cpuS: cpuSeconds(server.child.pid) - before };
      };
      measured({ file: mix, duration: 2 }); // warm-up: JIT and prefix cache
      const max = measured({ file: mix, duration, extra: ['-q', '1000'] });
      const lat = measured({ file: mix, duration, extra: ['-q', '200', '-Q', values.rate], verbose: true });
      const rnd = measured({ file: random, duration, extra: ['-q', '1000'] });
      const rss = rssMiB(server.child.pid);
      const core = (r) => (values.workers ? NaN : r.completed / r.cpuS);
      perCore[udp] = { max: core(max), rnd: core(rnd), lat: core(lat) };
      console.log(`\ngeosteer, UDP path ${udp === 'auto' ? 'auto (native where built)' : 'node:dgram'}, ${values.workers ? `${values.workers} workers` : `one process on core ${values['server-cpu']}`}, dnsperf on core ${cpu}, ${duration} s per run, config ${values.config}`);
      console.log('| run | queries/s | loss % | avg µs | p50 µs | p99 µs | p99.9 µs | server CPU s | q per server core-s | rcodes |');
      console.log('|---|---|---|---|---|---|---|---|---|---|');
      const row = (label, r) => `| ${label} | ${fmt(r.qps)} | ${fmt(r.lostPct, 2)} | ${fmt(r.avgUs)} | ${fmt(r.p50Us)} | ${fmt(r.p99Us)} | ${fmt(r.p999Us)} | ${fmt(r.cpuS, 2)} | ${fmt(core(r))} | ${r.rcodes} |`;
      console.log(row('max (realistic mix, -q 1000)', max));
      console.log(row(`fixed rate ${values.rate} q/s (-Q)`, lat));
      console.log(row('random-/24 ECS (-q 1000)', rnd));
      console.log(`resident memory: ${fmt(rss, 1)} MiB`);
    } finally {
      await server.stop();
    }
  }
  if (perCore.auto && perCore.dgram) {
    const ratio = (k) => fmt(perCore.auto[k] / perCore.dgram[k], 2);
    console.log(`\nqueries per server core-second, native / dgram: max ${ratio('max')}x, random-/24 ${ratio('rnd')}x, at ${values.rate} q/s ${ratio('lat')}x`);
  }

  if (values.floor) {
    // The echo answers with the query itself: dnsperf counts it as a response, which is all
    // a latency floor needs.
    const floorPort = await freePort();
    const echo = spawn('taskset', ['-c', values['server-cpu'], process.execPath, join(ROOT, 'load/udp-echo-floor.mjs'), String(floorPort)], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 500));
      const cpu = values['load-cpu'];
      dnsperf({ cpu, port: floorPort, file: mix, duration: 2 });
      const lat = dnsperf({ cpu, port: floorPort, file: mix, duration, extra: ['-q', '200', '-Q', values.rate], verbose: true });
      console.log(`\nNode UDP echo floor (no DNS work), core ${values['server-cpu']}, fixed rate ${values.rate} q/s: avg ${fmt(lat.avgUs)} µs, p50 ${fmt(lat.p50Us)} µs, p99 ${fmt(lat.p99Us)} µs, p99.9 ${fmt(lat.p999Us)} µs, loss ${fmt(lat.lostPct, 2)} %`);
    } finally {
      echo.kill('SIGTERM');
    }
  }

  if (values.peers) {
    const benchPort = await freePort();
    const cmd = `node ${join(ROOT, 'dist/cli.js')} serve --config ${join(dir + '-peers.yaml')}`;
    const doc = readFileSync(join(ROOT, 'config/bench/geosteer.bench.yaml'), 'utf8').replace('127.0.0.1:15320', `127.0.0.1:${benchPort}`);
    writeFileSync(`${dir}-peers.yaml`, doc);
    const script = join(ROOT, '../shared/bench/run-peers.sh');
    console.log(`\n${script} --only gdnsd,pdns-geoip,geosteer --rounds 1 --duration ${duration} --no-2core --no-dns2-old --extra geosteer=127.0.0.1:${benchPort} --extra-cmd geosteer='${cmd}'`);
    spawnSync(script, ['--only', 'gdnsd,pdns-geoip,geosteer', '--rounds', '1', '--duration', String(duration), '--no-2core', '--no-dns2-old', '--extra', `geosteer=127.0.0.1:${benchPort}`, '--extra-cmd', `geosteer=${cmd}`], { stdio: 'inherit' });
    rmSync(`${dir}-peers.yaml`, { force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

#!/usr/bin/env node
// In-process cost of the DNS handler (no sockets) with metrics on, as `serve` runs it (the
// production wiring: buildService, never started; its handler is called directly):
// ns per query and young-generation garbage per query, for the realistic mix (fixed
// prefixes) and for random-/24 ECS, on the bench config; for handle() (the node:dgram path:
// a new Buffer per reply) and handleInto() (the native batch path: the reply written into
// one reused buffer, the client address as bytes). Quieter than dnsperf on a shared
// machine, so it is what JS-side optimisations are judged by. Garbage is what scavenges
// allocated in new space during a second pass.
// --cookie client adds a DNS COOKIE option with a client cookie to every query (one SipHash
// per query: a fresh server cookie); --cookie server sends the server cookie the handler gave
// back as well (one SipHash to check it, echoed while under half an hour old).
//   node load/handler-bench.mjs [--queries 2000000] [--config config/bench/geosteer.bench.yaml] [--with-ioredis] [--cookie none|client|server]
import { readFileSync } from 'node:fs';
import v8 from 'node:v8';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ecsData, plainQuery, seededRandom } from './hostile-packets.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { queries: { type: 'string', default: '2000000' }, config: { type: 'string', default: join(ROOT, 'config/bench/geosteer.bench.yaml') }, 'with-ioredis': { type: 'boolean', default: false }, cookie: { type: 'string', default: 'none' } } });
if (!['none', 'client', 'server'].includes(values.cookie)) throw new Error(`--cookie: expected none, client or server, got ${values.cookie}`);
// With state.store: redis, `serve` loads ioredis, whose `class ... extends String` puts
// String.prototype in dictionary mode: every str.method() in optimized code then costs a
// generic property lookup. --with-ioredis loads it here too, to see that server's cost.
if (values['with-ioredis']) await import('ioredis');
const { parseConfigText } = await import(join(ROOT, 'dist/config/load.js'));
const { buildService } = await import(join(ROOT, 'dist/service/build-service.js'));
const { silentLogger } = await import(join(ROOT, 'dist/shared/logger.js'));

const service = await buildService(parseConfigText(readFileSync(values.config, 'utf8'), values.config), { log: silentLogger(), workers: 1, env: {} });
const handler = service.handler;
const V4 = [[1, 34, 5], [168, 95, 1], [203, 116, 0], [175, 136, 0], [202, 32, 0], [1, 11, 0], [8, 8, 8], [24, 48, 0], [187, 128, 0], [189, 0, 0], [81, 2, 69], [85, 214, 0], [90, 0, 0], [1, 120, 0], [117, 192, 0], [14, 160, 0], [112, 198, 0], [36, 64, 0]];

const CLIENT_COOKIE = Buffer.from('0102030405060708', 'hex');
/** The COOKIE option data the queries carry: none, the client cookie, or it and the server cookie the handler returned for 127.0.0.1. */
function cookieData() {
  if (values.cookie === 'none') return undefined;
  if (values.cookie === 'client') return CLIENT_COOKIE;
  const reply = handler.handle(plainQuery('example.com', 6, [{ code: 10, data: CLIENT_COOKIE }]), 'udp', '127.0.0.1');
  const at = reply.indexOf(Buffer.concat([Buffer.from([0, 10, 0, 24]), CLIENT_COOKIE]));
  if (at < 0) throw new Error('no server cookie in the reply: are dns.cookies enabled in the bench config?');
  return reply.subarray(at + 4, at + 28);
}
const cookie = cookieData();

function query(name, type, ecs) {
  const options = ecs ? [{ code: 8, data: ecsData(1, 24, [...ecs, 0]) }] : [];
  if (cookie) options.push({ code: 10, data: cookie });
  return plainQuery(name, type, options);
}
function mix(random) {
  const rand = seededRandom(random ? 2 : 1);
  const out = [];
  for (let i = 0; i < 100000; i++) {
    const ecs = random ? [1 + Math.floor(rand() * 222), Math.floor(rand() * 256), Math.floor(rand() * 256)] : V4[Math.floor(rand() * V4.length)];
    const r = rand();
    out.push(r < 0.8 ? query('api.example.com', 1, ecs) : r < 0.9 ? query('example.com', 6) : query(`nx${i % 10000}.example.com`, 1));
  }
  return out;
}
/** Bytes allocated in new space: sample() it often enough that a scavenge shows as a drop. */
function youngGarbage() {
  const used = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_used_size;
  let total = 0;
  let last = used();
  return {
    sample() {
      const now = used();
      total += now >= last ? now - last : now; // after a drop, `now` is what was allocated since (survivors aside)
      last = now;
      return total;
    },
  };
}

const n = Number(values.queries);
const out = Buffer.alloc(1232);
const client = { family: 4, bytes: Uint8Array.of(127, 0, 0, 1), offset: 0 };
const entryPoints = {
  'handle()': (p) => handler.handle(p, 'udp', '127.0.0.1').length,
  'handleInto()': (p) => handler.handleInto(p, p.length, client, out),
};
for (const [label, packets] of [['fixed prefixes', mix(false)], ['random /24', mix(true)]]) {
  for (const [entry, answer] of Object.entries(entryPoints)) {
    let bytes = 0;
    for (let i = 0; i < 200000; i++) bytes += answer(packets[i % packets.length]); // warm-up
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) bytes += answer(packets[i % packets.length]);
    const ns = Number(process.hrtime.bigint() - t0) / n;
    // A separate, untimed pass for garbage: sampling the heap every 4096 queries.
    const young = youngGarbage();
    const m = Math.min(n, 500_000);
    for (let i = 0; i < m; i++) {
      bytes += answer(packets[i % packets.length]);
      if ((i & 4095) === 0) young.sample();
    }
    const garbage = young.sample() / m;
    console.log(`${label}, ${entry}: ${ns.toFixed(0)} ns/query (${(1e3 / ns).toFixed(2)} M queries/s of handler time), ~${garbage.toFixed(0)} bytes of young garbage per query${bytes < 0 ? '' : ''}`);
  }
}

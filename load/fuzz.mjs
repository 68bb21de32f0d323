#!/usr/bin/env node
// Bounded hostile-input run against a geosteer this script starts itself on 127.0.0.1:
// hundreds of thousands of truncated, oversized, compression-looped, bogus-label, bad-OPT,
// bit-flipped and random packets over UDP and TCP, then a normal query must still get the
// right answer and resident memory must stay flat.
//
//   node load/fuzz.mjs [--udp 300000] [--tcp 60000] [--seed 1] [--short] [--no-build] [--path auto|dgram]
//
// --path dgram runs the server on the node:dgram UDP path; the default is the native
// recvmmsg/sendmmsg path where the addon is built (the start log says which).
//
// The server runs from dist/ (built first unless --no-build). Exit 0 when it survived.
import { execFileSync, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse, stringify } from 'yaml';
import { ecsData, hostilePacket, KINDS, plainQuery, seededRandom, tcpFrame } from './hostile-packets.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Sends `count` hostile UDP packets, `window` in flight per batch; counts by kind and replies. */
export async function fuzzUdp({ host = '127.0.0.1', port, count, seed = 1, window = 256 }) {
  const rand = seededRandom(seed);
  const socket = dgram.createSocket('udp4');
  await new Promise((r) => socket.bind(0, '127.0.0.1', r));
  const sent = Object.fromEntries(KINDS.map((k) => [k, 0]));
  let replies = 0;
  socket.on('message', () => replies++);
  for (let done = 0; done < count; ) {
    const batch = Math.min(window, count - done);
    await new Promise((resolve) => {
      let pending = batch;
      for (let i = 0; i < batch; i++) {
        const kind = KINDS[Math.floor(rand() * KINDS.length)];
        let packet = hostilePacket(kind, rand);
        if (packet.length > 65000) packet = packet.subarray(0, 65000);
        sent[kind]++;
        socket.send(packet, port, host, () => --pending === 0 && resolve());
      }
    });
    done += batch;
    // let the server breathe: this is about surviving bad input, not about overload
    await new Promise((r) => setTimeout(r, 0));
  }
  await new Promise((r) => setTimeout(r, 200));
  socket.close();
  return { sent, replies };
}

/**
 * Sends `count` hostile packets over TCP, `perConnection` frames per connection and
 * `parallel` connections at a time; some connections end with a length prefix that promises
 * more than follows, some with a zero length, some are cut mid-frame.
 */
export async function fuzzTcp({ host = '127.0.0.1', port, count, seed = 2, perConnection = 40, parallel = 8 }) {
  const rand = seededRandom(seed);
  const sent = Object.fromEntries(KINDS.map((k) => [k, 0]));
  const endings = { 'lying-prefix': 0, 'zero-length': 0, 'cut-frame': 0, clean: 0 };
  let replies = 0;
  let connections = 0;
  let left = count;
  const one = () =>
    new Promise((resolve) => {
      const frames = [];
      const n = Math.min(perConnection, left);
      left -= n;
      for (let i = 0; i < n; i++) {
        const kind = KINDS[Math.floor(rand() * KINDS.length)];
        const packet = hostilePacket(kind, rand).subarray(0, 65535);
        if (packet.length === 0) continue;
        sent[kind]++;
        frames.push(tcpFrame(packet));
      }
      const ending = ['lying-prefix', 'zero-length', 'cut-frame', 'clean'][Math.floor(rand() * 4)];
      endings[ending]++;
      if (ending === 'lying-prefix') frames.push(Buffer.from([0xff, 0xff, 1, 2, 3]));
      else if (ending === 'zero-length') frames.push(Buffer.from([0, 0]));
      else if (ending === 'cut-frame' && frames.length > 0) frames[frames.length - 1] = frames[frames.length - 1].subarray(0, 1 + Math.floor(rand() * frames[frames.length - 1].length - 1));
      connections++;
      const socket = net.connect({ host, port });
      let buf = Buffer.alloc(0);
      const timer = setTimeout(() => socket.destroy(), 3000);
      socket.on('connect', () => {
        socket.write(Buffer.concat(frames));
        socket.end(); // half-close: the server answers what it has, then closes
      });
      socket.on('data', (chunk) => {
        buf = Buffer.concat([buf, chunk]);
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          replies++;
          buf = buf.subarray(2 + buf.readUInt16BE(0));
        }
      });
      socket.on('error', () => {});
      socket.on('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  const workers = Array.from({ length: parallel }, async () => {
    while (left > 0) await one();
  });
  await Promise.all(workers);
  return { sent, endings, replies, connections };
}

function query(name, type, ecs) {
  const [ip, prefix] = ecs.split('/');
  return plainQuery(name, type, [{ code: 8, data: ecsData(1, Number(prefix), ip.split('.').map(Number)) }]);
}

/** The first A address in a reply (the answer record follows the question; our answers use a name pointer). */
function firstA(reply) {
  if (!reply || reply.readUInt16BE(6) < 1) return undefined;
  let o = 12;
  while (reply[o] !== 0) o += reply[o] + 1;
  o += 5; // root, type, class
  // answer: pointer(2) type(2) class(2) ttl(4) rdlength(2) rdata
  return [...reply.subarray(o + 12, o + 16)].join('.');
}

/** Asks a normal query over UDP and TCP; resolves with the two answers. */
export async function normalAnswers({ host = '127.0.0.1', port, name = 'api.example.com', ecs = '8.8.8.0/24' }) {
  const q = query(name, 1, ecs);
  const udp = await new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    const t = setTimeout(() => (s.close(), resolve(undefined)), 2000);
    s.on('message', (m) => (clearTimeout(t), s.close(), resolve(m)));
    s.send(q, port, host);
  });
  const tcp = await new Promise((resolve) => {
    const s = net.connect({ host, port });
    let buf = Buffer.alloc(0);
    const t = setTimeout(() => (s.destroy(), resolve(undefined)), 2000);
    s.on('connect', () => {
      s.write(tcpFrame(q));
    });
    s.on('data', (c) => {
      buf = Buffer.concat([buf, c]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        clearTimeout(t);
        s.destroy();
        resolve(buf.subarray(2, 2 + buf.readUInt16BE(0)));
      }
    });
    s.on('error', () => (clearTimeout(t), resolve(undefined)));
  });
  return { udp: firstA(udp), tcp: firstA(tcp) };
}

/** A free port on 127.0.0.1 for both UDP and TCP. */
export async function freePort() {
  for (let attempt = 0; attempt < 20; attempt++) {
    const udp = dgram.createSocket('udp4');
    const port = await new Promise((r) => udp.bind(0, '127.0.0.1', () => r(udp.address().port)));
    const ok = await new Promise((r) => {
      const srv = net.createServer().once('error', () => r(false)).listen(port, '127.0.0.1', () => srv.close(() => r(true)));
    });
    udp.close();
    if (ok) return port;
  }
  throw new Error('no free port found for UDP and TCP');
}

/** Resident set size of a process, MiB, from /proc. */
export function rssMiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Process CPU time (user + system) of `pid`, seconds, from /proc. */
export function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
}

/**
 * Starts `node dist/cli.js serve` on a config derived from `configPath`, on 127.0.0.1:port.
 * `udp: 'dgram'` forces the node:dgram path (GEOSTEER_UDP=dgram); the default takes the native one where built.
 */
export async function startGeosteer({ configPath = join(ROOT, 'config/geosteer.example.yaml'), port, extra = {}, nodeArgs = [], udp = 'auto' }) {
  const dir = mkdtempSync(join(tmpdir(), 'geosteer-load-'));
  const doc = parse(readFileSync(configPath, 'utf8'));
  doc.dns = { ...doc.dns, workers: 1, ...extra.dns, listen: [`127.0.0.1:${port}`] };
  doc.log = { level: 'warn' };
  const config = join(dir, 'geosteer.yaml');
  writeFileSync(config, stringify(doc));
  const env = { ...process.env, GEOSTEER_UDP: udp };
  const child = spawn(process.execPath, [...nodeArgs, join(ROOT, 'dist/cli.js'), 'serve', '--config', config], { stdio: ['ignore', 'inherit', 'inherit'], cwd: dir, env });
  const deadline = Date.now() + 15000;
  for (;;) {
    const a = await normalAnswers({ port }).catch(() => ({}));
    if (a.udp) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill();
      throw new Error(`geosteer did not start on port ${port}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    config,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Builds dist/ with tsc. */
export function build() {
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
}

async function main() {
  const { values } = parseArgs({
    options: { udp: { type: 'string' }, tcp: { type: 'string' }, seed: { type: 'string', default: '1' }, short: { type: 'boolean' }, 'no-build': { type: 'boolean' }, path: { type: 'string', default: 'auto' } },
  });
  const udpCount = Number(values.udp ?? (values.short ? 20000 : 300000));
  const tcpCount = Number(values.tcp ?? (values.short ? 4000 : 60000));
  const seed = Number(values.seed);
  if (!values['no-build']) build();
  const port = await freePort();
  const server = await startGeosteer({ port, udp: values.path });
  try {
    // warm up with normal traffic so "before" is a running server, not a cold one
    await fuzzUdp({ port, count: 5000, seed: seed + 1000 });
    const before = rssMiB(server.child.pid);
    const t0 = Date.now();
    const udp = await fuzzUdp({ port, count: udpCount, seed });
    const tcp = await fuzzTcp({ port, count: tcpCount, seed: seed + 1 });
    const seconds = (Date.now() - t0) / 1000;
    const after = rssMiB(server.child.pid);
    const answers = await normalAnswers({ port });
    const alive = server.child.exitCode === null;
    const right = answers.udp === '198.51.100.40' && answers.tcp === '198.51.100.40';
    console.log(`fuzz: ${udpCount} UDP + ${tcpCount} TCP packets in ${seconds.toFixed(1)} s (seed ${seed}, UDP path ${values.path})`);
    console.log(`  UDP sent by kind: ${JSON.stringify(udp.sent)}; replies ${udp.replies}`);
    console.log(`  TCP sent by kind: ${JSON.stringify(tcp.sent)}; connections ${tcp.connections}, endings ${JSON.stringify(tcp.endings)}; replies ${tcp.replies}`);
    console.log(`  RSS before ${before.toFixed(1)} MiB, after ${after.toFixed(1)} MiB (${(after - before >= 0 ? '+' : '') + (after - before).toFixed(1)} MiB)`);
    console.log(`  server alive: ${alive}; api.example.com A for 8.8.8.0/24 afterwards: UDP ${answers.udp}, TCP ${answers.tcp} (expected 198.51.100.40)`);
    const flat = after - before < 64;
    if (!alive || !right || !flat) {
      console.error(`fuzz: FAILED (${!alive ? 'server died' : !right ? 'wrong or missing answer' : 'memory grew by more than 64 MiB'})`);
      process.exitCode = 1;
    } else console.log('fuzz: PASS');
  } finally {
    await server.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();

import dgram from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostilePacket, KINDS, plainQuery, seededRandom, validQuery } from '../../load/hostile-packets.mjs';
import { DnsServer, udpBackend } from '../../src/dns/dns-server.js';
import { DgramUdpListener } from '../../src/dns/dgram-udp-listener.js';
import { loadNativeUdp, NATIVE_UDP_ADDON } from '../../src/dns/native-udp-binding.js';
import { NativeUdpListener } from '../../src/dns/native-udp-listener.js';
import { QueryHandler, type MessageHandler, type QueryObserver } from '../../src/dns/query-handler.js';
import { silentLogger } from '../../src/shared/logger.js';
import { decodeReply } from '../support/dns-client.js';
import { waitFor } from '../support/poll.js';
import { builtHandler, exampleDocument, startServer } from '../support/test-server.js';
import { describeEachUdpPath, itWithNative, listenWithPath, nativeUnavailable, startServerOnPath, type PathServer } from '../support/udp-paths.js';

// The native recvmmsg/sendmmsg path against node:dgram over real sockets: the same replies,
// byte for byte, to the same packets (valid, truncated, hostile; IPv4 and IPv6), and the
// failure behaviour of src/dns/README.md ("The two UDP paths").

const TCP_LIMITS = { maxConnections: 10, idleTimeoutMs: 5000, maxQueriesPerConnection: 100 };

/**
 * The listeners under test answer through the real handler of the production wiring (built,
 * not started); with `observer`, a QueryHandler over the same serving state that reports to
 * it (a test's way to make the handler throw, or to count who answered).
 */
async function app(observer?: QueryObserver): Promise<{ handler: MessageHandler }> {
  const doc = exampleDocument();
  doc.zones[0].records.push({ name: 'big', type: 'TXT', value: 'x'.repeat(700) });
  const built = await builtHandler(doc, { rand: seededRandom(7) });
  if (!observer) return built;
  return { handler: new QueryHandler(built.service.control.current().serving, observer, seededRandom(7)) };
}

/** A client socket that collects replies in arrival order (one server, one socket: FIFO on loopback). */
async function client(family: 4 | 6): Promise<{ socket: dgram.Socket; replies: Buffer[] }> {
  const socket = dgram.createSocket(family === 6 ? 'udp6' : 'udp4');
  const replies: Buffer[] = [];
  socket.on('message', (m) => replies.push(m));
  await new Promise<void>((resolve) => socket.bind(0, family === 6 ? '::1' : '127.0.0.1', resolve));
  return { socket, replies };
}

/**
 * Sends `packets` in windows of 64, waiting each window's replies (`expected` of them); a
 * final sentinel query proves nothing else is still on its way. Returns the replies in order.
 */
async function exchange(port: number, family: 4 | 6, packets: Buffer[], expected: (i: number) => boolean): Promise<Buffer[]> {
  const { socket, replies } = await client(family);
  const host = family === 6 ? '::1' : '127.0.0.1';
  try {
    let want = 0;
    for (let start = 0; start < packets.length; start += 64) {
      for (let i = start; i < Math.min(start + 64, packets.length); i++) {
        socket.send(packets[i], port, host);
        if (expected(i)) want++;
      }
      await waitFor(`${want} replies`, () => replies.length >= want);
    }
    const sentinel = plainQuery('example.com', 6);
    sentinel.writeUInt16BE(0xbeef, 0);
    socket.send(sentinel, port, host);
    await waitFor('the sentinel reply', () => replies.length > want);
    expect(replies.length).toBe(want + 1);
    expect(replies[want].readUInt16BE(0)).toBe(0xbeef);
    return replies.slice(0, want);
  } finally {
    socket.close();
  }
}

describe('both UDP paths give the same bytes', () => {
  itWithNative('valid, truncated and hostile packets over IPv4 and IPv6', async () => {
    const native = await listenWithPath((await app()).handler, 'recvmmsg', { ipv6: true });
    const fallback = await listenWithPath((await app()).handler, 'dgram', { ipv6: true });
    const reference = await app();
    try {
      const rand = seededRandom(42);
      const packets: Buffer[] = [plainQuery('big.example.com', 16), validQuery(seededRandom(5), { name: 'big.example.com', type: 16, edns: false })];
      for (let i = 0; i < 600; i++) packets.push(i % 2 === 0 ? validQuery(rand, { edns: i % 3 !== 0, ecs: i % 4 === 0 }) : hostilePacket(KINDS[i % KINDS.length], rand).subarray(0, 4000));
      const sendable = packets.filter((p) => p.length > 0);
      for (const family of [4, 6] as const) {
        // the replies the handler gives (same seed, same order); undefined where it drops
        const expected = sendable.map((p) => reference.handler.handle(p, 'udp', family === 6 ? '::1' : '127.0.0.1'));
        const answered = (i: number) => expected[i] !== undefined;
        const viaNative = await exchange(family === 6 ? native.port6! : native.port, family, sendable, answered);
        const viaDgram = await exchange(family === 6 ? fallback.port6! : fallback.port, family, sendable, answered);
        expect(viaNative).toEqual(viaDgram);
        expect(viaNative).toEqual(expected.filter((e) => e !== undefined));
      }
      // the first reply is the full 700-octet TXT, the second is truncated (no EDNS: 512)
      expect(decodeReply(reference.handler.handle(sendable[0], 'udp', '127.0.0.1')!).tc).toBe(false);
      expect(decodeReply(reference.handler.handle(sendable[1], 'udp', '127.0.0.1')!).tc).toBe(true);
    } finally {
      await Promise.all([native.close(), fallback.close()]);
    }
  }, 30_000);
});

describeEachUdpPath('a UDP path under failure', (path) => {
  let failing: { handler: MessageHandler };
  let server: PathServer;
  beforeAll(async () => {
    // a handler bug on TXT queries: the observer throws inside handle()
    failing = await app({ answered: (_t, qtype) => {
      if (qtype === 16) throw new Error('observer bug');
    } });
    server = await listenWithPath(failing.handler, path);
  });
  afterAll(() => server.close());

  it('a handler that throws drops that packet, is counted, and the socket keeps answering', async () => {
    const replies = await exchange(server.port, 4, [plainQuery('example.com', 16), plainQuery('api.example.com', 1)], (i) => i === 1);
    expect(replies.map((r) => decodeReply(r).answers)).toEqual([['198.51.100.10']]);
    expect(server.server.failures).toBe(1);
  });

  it('replies to a client that is gone (ICMP port unreachable) do not stop the socket', async () => {
    const gone = await client(4);
    for (let i = 0; i < 50; i++) gone.socket.send(plainQuery('api.example.com', 1), server.port, '127.0.0.1');
    gone.socket.close();
    const replies = await exchange(server.port, 4, [plainQuery('api.example.com', 1)], () => true);
    expect(replies).toHaveLength(1);
  });

  it('a burst of 128 queries from two sockets: every one answered, in order, with its own id', async () => {
    const a = await client(4);
    const b = await client(4);
    const before = path === 'recvmmsg' ? nativeStats(server) : undefined;
    for (let i = 0; i < 64; i++) {
      for (const [n, c] of [a, b].entries()) {
        const q = plainQuery('api.example.com', 1);
        q.writeUInt16BE(n * 1000 + i, 0);
        c.socket.send(q, server.port, '127.0.0.1');
      }
    }
    await waitFor('128 replies', () => a.replies.length + b.replies.length === 128);
    a.socket.close();
    b.socket.close();
    expect(a.replies.map((r) => r.readUInt16BE(0))).toEqual(Array.from({ length: 64 }, (_, i) => i));
    expect(b.replies.map((r) => r.readUInt16BE(0))).toEqual(Array.from({ length: 64 }, (_, i) => 1000 + i));
    if (before !== undefined) {
      // all 128 were queued before the loop polled the socket: two full recvmmsg batches of 64
      const after = nativeStats(server)!;
      expect([after.received - before.received, after.sent - before.sent, after.batches - before.batches]).toEqual([128, 128, 2]);
    }
  });

  it('close frees the port at once', async () => {
    const s = await listenWithPath((await app()).handler, path);
    await s.close();
    const again = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => again.once('error', reject).bind({ port: s.port, address: '127.0.0.1', exclusive: true }, resolve));
    again.close();
    await s.close();
  });
});

/** The native listener's counters (the only per-socket state a test can read). */
function nativeStats(s: PathServer) {
  const listener = (s.server as unknown as { udp: unknown[] }).udp[0];
  return listener instanceof NativeUdpListener ? listener.stats() : undefined;
}

describe('how the UDP path is chosen', () => {
  let shared: { handler: MessageHandler };
  beforeAll(async () => {
    shared = await app();
  });

  const started: DnsServer[] = [];
  afterAll(() => Promise.all(started.map((s) => s.close())));

  async function serveWith(env: NodeJS.ProcessEnv, opts = {}): Promise<{ server: DnsServer; port: number }> {
    const server = new DnsServer(shared.handler, silentLogger(), TCP_LIMITS, opts, env);
    started.push(server);
    const [bound] = await server.listen([{ host: '127.0.0.1', port: 0 }]);
    const replies = await exchange(bound.port, 4, [plainQuery('api.example.com', 1)], () => true);
    expect(replies).toHaveLength(1);
    return { server, port: bound.port };
  }

  it('GEOSTEER_UDP=dgram forces node:dgram, and says so', async () => {
    const { server, port } = await serveWith({ GEOSTEER_UDP: 'dgram' });
    expect(server.udpBackends()).toEqual([{ host: '127.0.0.1', port, kind: 'dgram', reason: 'forced by GEOSTEER_UDP=dgram' }]);
    expect(udpBackend({ GEOSTEER_UDP: 'dgram' })).toEqual({ kind: 'dgram', reason: 'forced by GEOSTEER_UDP=dgram' });
  });

  it('an addon that is not built, or does not load, falls back to node:dgram with the reason', async () => {
    const missing = await serveWith({ GEOSTEER_UDP_ADDON: '/nonexistent/geosteer_udp.node' });
    expect(missing.server.udpBackends()[0].kind).toBe('dgram');
    expect(missing.server.udpBackends()[0].reason).toBe('/nonexistent/geosteer_udp.node not built (npm ci compiles it with node-gyp; its log says why it could not)');
    const dir = mkdtempSync(join(tmpdir(), 'geosteer-addon-'));
    try {
      writeFileSync(join(dir, 'broken.node'), 'not a shared object, only text long enough for an ELF header check');
      const broken = await serveWith({ GEOSTEER_UDP_ADDON: join(dir, 'broken.node') });
      expect(broken.server.udpBackends()[0].kind).toBe('dgram');
      expect(broken.server.udpBackends()[0].reason).toMatch(/broken\.node failed to load: .*invalid ELF header/);
      const json = await serveWith({ GEOSTEER_UDP_ADDON: `${process.cwd()}/package.json` });
      expect(json.server.udpBackends()[0].reason).toBe(`${process.cwd()}/package.json is not this version's geosteer_udp addon (expected open/start/close/stats, 64 slots)`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a cluster worker sharing the primary\'s socket stays on node:dgram unless it asks for SO_REUSEPORT', () => {
    expect(udpBackend({}, { shared: true })).toEqual({ kind: 'dgram', reason: "cluster worker sharing the primary's socket (udpReusePort not set)" });
    if (nativeUnavailable() === undefined) expect(udpBackend({}, { shared: true, udpReusePort: true }).kind).toBe('recvmmsg');
  });

  it('an unknown GEOSTEER_UDP value is refused with the accepted values', async () => {
    const server = new DnsServer(shared.handler, silentLogger(), TCP_LIMITS, {}, { GEOSTEER_UDP: 'fast' });
    await expect(server.listen([{ host: '127.0.0.1', port: 0 }])).rejects.toThrow('GEOSTEER_UDP: expected "auto" or "dgram", got "fast"');
  });

  itWithNative('the native path reports the addon it loaded', async () => {
    const { server } = await serveWith({});
    expect(server.udpBackends()[0]).toMatchObject({ kind: 'recvmmsg', reason: `native addon ${NATIVE_UDP_ADDON}` });
  });

  itWithNative('servers the tests start load the build GEOSTEER_UDP_ADDON names (the sanitizer check\'s), whatever env they pass', async () => {
    const expected = `native addon ${process.env.GEOSTEER_UDP_ADDON || NATIVE_UDP_ADDON}`;
    const servers = [await startServerOnPath('recvmmsg'), await startServer(exampleDocument(), { env: { LANG: 'C' } })];
    try {
      for (const s of servers) expect(s.service.udpBackends()[0]).toMatchObject({ kind: 'recvmmsg', reason: expected });
    } finally {
      await Promise.all(servers.map((s) => s.close()));
    }
  });

  itWithNative('a port already taken is a LISTEN_FAILED error, not a fallback', async () => {
    const holder = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => holder.bind({ port: 0, address: '127.0.0.1', exclusive: true }, resolve));
    const port = holder.address().port;
    try {
      const server = new DnsServer(shared.handler, silentLogger(), TCP_LIMITS, {}, {});
      await expect(server.listen([{ host: '127.0.0.1', port }])).rejects.toThrow(`dns.listen: cannot bind UDP 127.0.0.1:${port}: bind EADDRINUSE: Address already in use`);
    } finally {
      holder.close();
    }
  });
});

describe('SO_REUSEPORT: one socket per process on the same port', () => {
  itWithNative('native and dgram sockets share a port; the kernel spreads clients over them', async () => {
    const counts = [0, 0, 0];
    const apps = await Promise.all(counts.map((_, i) => app({ answered: () => counts[i]++ })));
    const loaded = loadNativeUdp(NATIVE_UDP_ADDON);
    if (loaded.addon === undefined) throw new Error(loaded.reason);
    const first = new NativeUdpListener(loaded.addon, apps[0].handler, silentLogger(), { reusePort: true });
    const port = await first.listen('127.0.0.1', 0);
    const second = new NativeUdpListener(loaded.addon, apps[1].handler, silentLogger(), { reusePort: true });
    const third = new DgramUdpListener(apps[2].handler, silentLogger(), 4, { shared: false, reusePort: true });
    try {
      expect(await second.listen('127.0.0.1', port)).toBe(port);
      expect(await third.listen('127.0.0.1', port)).toBe(port);
      // 60 clients, each from its own source port: the reuseport hash spreads them
      for (let i = 0; i < 60; i++) expect(await exchange(port, 4, [plainQuery('api.example.com', 1)], () => true)).toHaveLength(1);
      // every query answered exactly once (the sentinels too: one per client), by all three sockets
      expect(counts.reduce((a, b) => a + b, 0)).toBe(120);
      expect(counts.every((c) => c > 0)).toBe(true);
    } finally {
      await Promise.all([first.close(), second.close(), third.close()]);
      await first.close(); // closing twice is harmless
    }
  });
});

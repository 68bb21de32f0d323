import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildQuery, decodeReply, sendTcp } from '../support/dns-client.js';
import { waitFor } from '../support/poll.js';
import { exampleDocument, startServer, type TestServer } from '../support/test-server.js';

// TCP bounds (RFC 7766 6.2): small limits so each one is reached in milliseconds.
const IDLE_MS = 300;
const MAX_CONNECTIONS = 3;
const MAX_QUERIES = 5;

let server: TestServer;
beforeAll(async () => {
  const doc = exampleDocument();
  doc.dns.tcp = { max_connections: MAX_CONNECTIONS, idle_timeout: `${IDLE_MS}ms`, max_queries_per_connection: MAX_QUERIES };
  server = await startServer(doc);
});
afterAll(() => server.close());

function frame(msg: Buffer): Buffer {
  const f = Buffer.alloc(2 + msg.length);
  f.writeUInt16BE(msg.length, 0);
  msg.copy(f, 2);
  return f;
}

/** A raw connection that records what arrives and when it closes. */
function connect(): Promise<{ socket: net.Socket; received: () => Buffer; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port: server.port, host: '127.0.0.1' });
    let data = Buffer.alloc(0);
    const start = Date.now();
    const closed = new Promise<number>((r) => socket.on('close', () => r(Date.now() - start)));
    socket.on('data', (c) => (data = Buffer.concat([data, c])));
    socket.on('error', () => {});
    socket.once('connect', () => resolve({ socket, received: () => data, closed }));
    socket.once('error', reject);
  });
}


function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  return Promise.race([p, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms))]);
}

describe('TCP limits', () => {
  it('answers pipelined queries in order', async () => {
    const names = ['api.example.com', 'example.com', 'nx1.example.com', 'www.example.com', 'mail.example.com'];
    const queries = names.map((name, i) => buildQuery({ name, type: name === 'example.com' ? 'SOA' : 'A', id: 100 + i }));
    const replies = await sendTcp(server.port, queries);
    expect(replies.map((r) => r.readUInt16BE(0))).toEqual([100, 101, 102, 103, 104]);
    expect(replies.map((r) => decodeReply(r).rcode)).toEqual([0, 0, 3, 0, 0]);
  });

  it(`closes a connection after ${MAX_QUERIES} queries, answering exactly those`, async () => {
    const queries = Array.from({ length: MAX_QUERIES + 3 }, (_, i) => buildQuery({ name: 'api.example.com', id: i }));
    const replies = await sendTcp(server.port, queries, '127.0.0.1', 2000, queries.length);
    expect(replies.map((r) => r.readUInt16BE(0))).toEqual([0, 1, 2, 3, 4]);
  });

  it(`refuses connections beyond ${MAX_CONNECTIONS}, and accepts again once one closes`, async () => {
    const open = await Promise.all(Array.from({ length: MAX_CONNECTIONS }, () => connect()));
    const extra = await connect();
    // the server drops the extra connection at once, without reading a query
    extra.socket.write(frame(buildQuery({ name: 'api.example.com', id: 7 })));
    expect(await withTimeout(extra.closed, IDLE_MS - 100)).not.toBe('timeout');
    expect(extra.received().length).toBe(0);
    // the first three still work
    open[0].socket.write(frame(buildQuery({ name: 'api.example.com', id: 8 })));
    await waitFor('the first reply', () => open[0].received().length > 2);
    expect(open[0].received().readUInt16BE(2)).toBe(8);
    for (const c of open) c.socket.destroy();
    await Promise.all(open.map((c) => c.closed));
    const [reply] = await sendTcp(server.port, [buildQuery({ name: 'api.example.com', id: 9 })]);
    expect(reply.readUInt16BE(0)).toBe(9);
  });

  it('closes an idle connection after the idle timeout', async () => {
    const c = await connect();
    const ms = await withTimeout(c.closed, IDLE_MS * 5);
    expect(ms).not.toBe('timeout');
    expect(ms as number).toBeGreaterThanOrEqual(IDLE_MS - 50);
  });

  it('closes a connection whose length prefix promises more than it sends, even while it trickles bytes', async () => {
    const c = await connect();
    const head = Buffer.alloc(2);
    head.writeUInt16BE(65535, 0);
    c.socket.write(head);
    // keep sending a few bytes well within the idle timeout: only whole messages count as activity
    const trickle = setInterval(() => c.socket.write(Buffer.alloc(512, 0x41)), IDLE_MS / 4);
    try {
      const ms = await withTimeout(c.closed, IDLE_MS * 5);
      expect(ms).not.toBe('timeout');
      expect(ms as number).toBeGreaterThanOrEqual(IDLE_MS - 50);
      expect(c.received().length).toBe(0);
    } finally {
      clearInterval(trickle);
    }
  });

  it('a zero-length message closes the connection', async () => {
    const c = await connect();
    c.socket.write(Buffer.from([0, 0]));
    expect(await withTimeout(c.closed, IDLE_MS - 100)).not.toBe('timeout');
  });

  it('a malformed message gets FORMERR and the connection keeps working', async () => {
    const bad = Buffer.from(buildQuery({ name: 'api.example.com', id: 21 }));
    const replies = await sendTcp(server.port, [Buffer.concat([bad, Buffer.from([9, 9])]), buildQuery({ name: 'api.example.com', id: 22 })]);
    expect(replies.map((r) => [r.readUInt16BE(0), r[3] & 0x0f])).toEqual([
      [21, 1],
      [22, 0],
    ]);
  });
});

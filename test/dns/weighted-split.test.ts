import dgram from 'node:dgram';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildQuery, decodeReply } from '../support/dns-client.js';
import { startServer, type TestServer } from '../support/test-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

/** Sends `count` queries over one UDP socket, at most `window` in flight; resolves with the replies. */
function burst(port: number, count: number, make: (id: number) => Buffer, window = 64, timeoutMs = 15_000): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    const replies: Buffer[] = [];
    let sent = 0;
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`only ${replies.length}/${count} replies within ${timeoutMs} ms`));
    }, timeoutMs);
    const sendNext = () => {
      if (sent < count) socket.send(make(sent++ & 0xffff), port, '127.0.0.1');
    };
    socket.on('message', (msg) => {
      replies.push(msg);
      if (replies.length === count) {
        clearTimeout(timer);
        socket.close();
        resolve(replies);
      } else sendNext();
    });
    socket.bind(0, '127.0.0.1', () => {
      for (let i = 0; i < window; i++) sendNext();
    });
  });
}

it('the singapore:taiwan group splits about 4:6 over thousands of queries', async () => {
  const n = 4000;
  const replies = await burst(server.port, n, (id) => buildQuery({ name: 'api.example.com', type: 'A', ecs: '203.116.0.0/24', id }));
  const counts = new Map<string, number>();
  for (const raw of replies) {
    const [address] = decodeReply(raw).answers;
    counts.set(address, (counts.get(address) ?? 0) + 1);
  }
  expect([...counts.keys()].sort()).toEqual(['198.51.100.10', '198.51.100.20']);
  const singapore = counts.get('198.51.100.20')! / n;
  // Binomial(4000, 0.4): sd = 0.0077; 0.05 is more than 6 sd, so a failure means a real skew.
  expect(singapore).toBeGreaterThan(0.35);
  expect(singapore).toBeLessThan(0.45);
});

import net from 'node:net';
import { describe, expect, it } from 'vitest';
import type { MessageHandler } from '../../src/dns/query-handler.js';
import { TcpListener } from '../../src/dns/tcp-listener.js';
import { capturingLogger } from '../support/capturing-logger.js';

// A TCP listen that fails is the caller's to handle (with port 0 the DNS server picks the UDP
// port first and retries when TCP finds it taken): it rejects, and logs nothing. Before, the
// running server's error logger heard it too, and every retry left a "tcp server error"
// warning in the log of a server that started fine.

const NO_ANSWERS: MessageHandler = { handle: () => undefined, handleInto: () => -1 };
const LIMITS = { maxConnections: 10, idleTimeoutMs: 1000, maxQueriesPerConnection: 10 };

describe('TcpListener.listen', () => {
  it('a port in use rejects with EADDRINUSE and logs nothing; listening elsewhere then works, still silent', async () => {
    const taken = net.createServer();
    await new Promise<void>((done) => taken.listen(0, '127.0.0.1', done));
    const port = (taken.address() as net.AddressInfo).port;
    const { log, lines } = capturingLogger('warn');
    const tcp = new TcpListener(NO_ANSWERS, log, LIMITS);
    try {
      await expect(tcp.listen('127.0.0.1', port)).rejects.toMatchObject({ code: 'EADDRINUSE' });
      expect(await tcp.listen('127.0.0.1', 0)).not.toBe(port);
      expect(lines).toEqual([]);
    } finally {
      await tcp.close();
      await new Promise((done) => taken.close(done));
    }
  });
});

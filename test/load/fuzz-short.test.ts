import { afterAll, beforeAll, expect, it } from 'vitest';
import { fuzzTcp, fuzzUdp, normalAnswers } from '../../load/fuzz.mjs';
import type { TestServer } from '../support/test-server.js';
import { describeEachUdpPath, startServerOnPath } from '../support/udp-paths.js';

// The short CI form of load/fuzz.mjs: the same generator and senders, against an in-process
// server (the production wiring) so the test can also see that no packet made the handler
// throw; once on each UDP path (the native recvmmsg/sendmmsg addon, node:dgram).

describeEachUdpPath('short fuzz run (UDP and TCP)', (path) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServerOnPath(path);
  });
  afterAll(() => server.close());

  it('survives hostile packets and still answers correctly', async () => {
    const udp = await fuzzUdp({ port: server.port, count: 20000, seed: 11 });
    const tcp = await fuzzTcp({ port: server.port, count: 3000, seed: 12 });
    expect(Object.values(udp.sent).reduce((a, b) => a + b, 0)).toBe(20000);
    expect(udp.replies).toBeGreaterThan(1000);
    expect(tcp.replies).toBeGreaterThan(500);
    const answers = await normalAnswers({ port: server.port });
    expect(answers).toEqual({ udp: '198.51.100.40', tcp: '198.51.100.40' });
    expect(server.service.dnsFailures()).toBe(0);
  }, 30_000);
});

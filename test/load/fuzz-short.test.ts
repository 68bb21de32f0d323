import { afterAll, beforeAll, expect, it } from 'vitest';
import { fuzzTcp, fuzzUdp, normalAnswers } from '../../load/fuzz.mjs';
import { App } from '../../src/app.js';
import { silentLogger } from '../../src/shared/logger.js';
import { bundledGeo, exampleDocument, loadDocument } from '../support/test-server.js';
import { describeEachUdpPath, listenWithPath, type PathServer } from '../support/udp-paths.js';

// The short CI form of load/fuzz.mjs: the same generator and senders, against an in-process
// server so the test can also see that no packet made the handler throw; once on each UDP
// path (the native recvmmsg/sendmmsg addon, node:dgram).

describeEachUdpPath('short fuzz run (UDP and TCP)', (path) => {
  let server: PathServer;
  beforeAll(async () => {
    const app = new App(loadDocument(exampleDocument()), { log: silentLogger(), geo: await bundledGeo() });
    server = await listenWithPath(app.handler, path);
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
    expect(server.server.failures).toBe(0);
  }, 30_000);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prefixKey, RateDecision, ResponseRateLimiter } from '../../src/dns/rate-limiter.js';
import { buildQuery, decodeReply, sendTcp, sendUdp } from '../support/dns-client.js';
import { exampleDocument, startServer, type TestServer } from '../support/test-server.js';

describe('ResponseRateLimiter', () => {
  it('keys IPv4 by /24 and IPv6 by /56', () => {
    expect(prefixKey('192.0.2.77')).toBe('192.0.2');
    expect(prefixKey('::ffff:192.0.2.77')).toBe('192.0.2');
    expect(prefixKey('2001:db8:1:2ff::1')).toBe('2001:0db8:0001:02');
    expect(prefixKey('2001:db8:1:200::9')).toBe('2001:0db8:0001:02');
    expect(prefixKey('::1')).toBe('0000:0000:0000:00');
  });

  it('sends up to the rate per second, then slips every slip-th and drops the rest; a new second starts over', () => {
    let now = 5000;
    const rrl = new ResponseRateLimiter({ responsesPerSecond: 3, slip: 2 }, () => now);
    const seen = Array.from({ length: 9 }, () => rrl.decide('192.0.2.1'));
    const { Send: S, Slip: L, Drop: D } = RateDecision;
    expect(seen).toEqual([S, S, S, D, L, D, L, D, L]);
    // another /24 has its own budget; the same /24 from another address shares it
    expect(rrl.decide('192.0.3.1')).toBe(S);
    expect(rrl.decide('192.0.2.200')).toBe(D);
    now += 1000;
    expect(rrl.decide('192.0.2.1')).toBe(S);
  });

  it('slip 0 drops everything over the limit', () => {
    const rrl = new ResponseRateLimiter({ responsesPerSecond: 1, slip: 0 }, () => 0);
    expect([rrl.decide('::1'), rrl.decide('::1'), rrl.decide('::1')]).toEqual([RateDecision.Send, RateDecision.Drop, RateDecision.Drop]);
  });
});

describe('dns.rrl over real sockets', () => {
  let server: TestServer;
  beforeAll(async () => {
    const doc = exampleDocument();
    doc.dns.rrl = { enabled: true, responses_per_second: 5, slip: 2 };
    server = await startServer(doc, { clock: () => 1_000_000 }); // one frozen second
  });
  afterAll(() => server.close());

  it('UDP: 5 answers, then truncated slips and silent drops; TCP is not limited', async () => {
    const outcomes: string[] = [];
    for (let i = 0; i < 11; i++) {
      const reply = await sendUdp(server.port, buildQuery({ name: 'api.example.com', id: i }), '127.0.0.1', 250);
      if (reply === undefined) outcomes.push('drop');
      else {
        const r = decodeReply(reply);
        expect(reply.readUInt16BE(0)).toBe(i);
        outcomes.push(r.tc ? 'slip' : `answer ${r.answers.length}`);
      }
    }
    expect(outcomes).toEqual(['answer 1', 'answer 1', 'answer 1', 'answer 1', 'answer 1', 'drop', 'slip', 'drop', 'slip', 'drop', 'slip']);
    const [tcp] = await sendTcp(server.port, [buildQuery({ name: 'api.example.com', id: 99 })]);
    expect(decodeReply(tcp).answers).toEqual(['198.51.100.10']);
  });

  it('is off by default', async () => {
    const plain = await startServer();
    try {
      for (let i = 0; i < 30; i++) expect(await sendUdp(plain.port, buildQuery({ name: 'api.example.com', id: i }))).toBeDefined();
    } finally {
      await plain.close();
    }
  });
});

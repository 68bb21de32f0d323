import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ask, buildQuery, decodeReply, sendUdp } from '../support/dns-client.js';
import { exampleDocument, startServer, type TestServer } from '../support/test-server.js';

// Zone data the answer table serves as compiled: RFC 3597 types by their code, and the apex
// NS with the TTL the zone gives it.

let server: TestServer;
beforeAll(async () => {
  const doc = exampleDocument();
  doc.zones[0].records.push({ name: 'opaque', type: 'TYPE65534', value: '\\# 3 abcdef' });
  doc.zones[0].records.push({ name: '_sip._tcp', type: 'SRV', value: '10 5 5060 sip.example.com.' });
  server = await startServer(doc);
});
afterAll(() => server.close());

describe('zone data in answers', () => {
  it('an RFC 3597 record is answered by its type code with its exact rdata', async () => {
    const raw = (await sendUdp(server.port, buildQuery({ name: 'opaque.example.com', type: 'A' })))!;
    expect(decodeReply(raw).rcode).toBe(0);
    // ask for type 65534 by hand: dns2 has no name for it
    const query = buildQuery({ name: 'opaque.example.com', type: 'A', id: 9 });
    const qtypeAt = query.indexOf(Buffer.from([0, 1, 0, 1]), 12);
    query.writeUInt16BE(65534, qtypeAt);
    const reply = (await sendUdp(server.port, query))!;
    expect(reply.readUInt16BE(6)).toBe(1); // one answer
    expect(reply.subarray(reply.length - 3 - 11, reply.length - 11).toString('hex')).toBe('abcdef'); // rdata, then the OPT record
  });

  it('SRV is served', async () => {
    const r = await ask(server.port, { name: '_sip._tcp.example.com', type: 'SRV' });
    expect(r.rcode).toBe(0);
    expect(r.packet.answers).toMatchObject([{ priority: 10, weight: 5, port: 5060, target: 'sip.example.com' }]);
  });

  it('the apex NS carry the zone TTL', async () => {
    const r = await ask(server.port, { name: 'example.com', type: 'NS' });
    expect(r.packet.answers.map((a) => `${a.ns} ${a.ttl}`)).toEqual(['ns1.example.com 3600', 'ns2.example.com 3600']);
  });
});

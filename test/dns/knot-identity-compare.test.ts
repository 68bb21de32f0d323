import { afterAll, beforeAll, expect, it } from 'vitest';
import { dig, type DigReply } from '../support/dig.js';
import { startKnot, type KnotServer } from '../support/knot-server.js';
import { describeWithTool } from '../support/system-tool.js';
import { exampleDocument, startServer, type TestServer } from '../support/test-server.js';

// The same queries to geosteer and to Knot (knotd, started here on a free port with a
// generated config) for what a server answers as itself: NSID, CHAOS, cookies, NOTIMP, TSIG.
// Both hold the same cookie secret, so each must accept the other's server cookies (RFC 9018
// is about exactly that), and cookies stamped in the same second must be the same octets.

const SECRET = 'e5e973e5a6b2a43f48e7dc849e37bfcf';
const ZONE = ['$ORIGIN example.com.', '$TTL 300', '@ SOA ns1 hostmaster 1 3600 600 86400 60', '@ NS ns1', 'ns1 A 192.0.2.53', 'api A 198.51.100.10', ''].join('\n');
const NSID = 'ns-taipei-1';
const VERSION = 'dns 1.0';


describeWithTool('geosteer and Knot answer alike as themselves', { command: 'knotd', versionArgs: ['--version'], apt: 'knot' }, () => {
  let knot: KnotServer;
  let geo: TestServer;
  beforeAll(async () => {
    knot = await startKnot([{ name: 'example.com', text: ZONE }], { nsid: NSID, identity: NSID, version: VERSION, cookieSecret: SECRET });
    const doc = exampleDocument();
    // Knot's mod-cookies answers BADCOOKIE to every client-only UDP query: geosteer's require
    doc.dns = { ...doc.dns, nsid: NSID, version: VERSION, cookies: { secret_env: 'COOKIE_SECRET', require: true } };
    geo = await startServer(doc, { env: { COOKIE_SECRET: SECRET } });
  }, 20_000);
  afterAll(async () => {
    await knot?.stop();
    await geo?.close();
  });

  const both = async (args: string[], knotName = 'api.example.com'): Promise<[DigReply, DigReply]> => [
    await dig(geo.port, [...args.map((a) => (a === '$NAME' ? 'api.example.com' : a))]),
    await dig(knot.port, [...args.map((a) => (a === '$NAME' ? knotName : a))]),
  ];
  const shape = (r: DigReply) => ({ status: r.status, edns: r.edns, nsid: r.nsid, answers: r.answers.length, additional: r.counts.additional, cookie: r.cookie?.length });

  it('NSID: the same option for an empty request, none unasked', async () => {
    const [g, k] = await both(['+nsid', '+nocookie', '$NAME', 'A']);
    expect(shape(g)).toEqual(shape(k));
    expect(g.nsid).toBe(NSID);
    const [g2, k2] = await both(['+nocookie', '$NAME', 'A']);
    expect([g2.nsid, k2.nsid]).toEqual([undefined, undefined]);
  });

  it('CHAOS: id.server, hostname.bind and version.bind alike; A in CH and unknown names REFUSED alike', async () => {
    for (const q of [['id.server', 'CH', 'TXT'], ['hostname.bind', 'CH', 'TXT'], ['version.bind', 'CH', 'TXT'], ['id.server', 'CH', 'A'], ['nothing.bind', 'CH', 'TXT']]) {
      const [g, k] = await both(['+nocookie', ...q]);
      expect([q.join(' '), g.status, g.answers]).toEqual([q.join(' '), k.status, k.answers]);
    }
  });

  it('NOTIMP with the OPT for STATUS and an unassigned opcode, with and without EDNS', async () => {
    for (const args of [['+opcode=status'], ['+opcode=3'], ['+opcode=status', '+noedns']]) {
      const [g, k] = await both([...args, '+nocookie', '$NAME', 'A']);
      expect([args.join(' '), shape(g)]).toEqual([args.join(' '), shape(k)]);
    }
  });

  it('TSIG with an unknown key: NOTAUTH and the same unsigned BADKEY TSIG', async () => {
    const [g, k] = await both(['+nocookie', '-y', 'hmac-sha256:no-such-key.:c2VjcmV0c2VjcmV0c2VjcmV0', '$NAME', 'A']);
    expect(shape(g)).toEqual(shape(k));
    const fields = (r: DigReply) => r.tsig!.split(' ').filter((_, i) => i !== 5 && i !== 8); // not the time signed or the id
    expect(fields(g)).toEqual(fields(k));
    expect(g.status).toBe('NOTAUTH');
  });

  it('cookies: BADCOOKIE for a client cookie alone over UDP, an answer over TCP, and each accepts the cookie the other made', async () => {
    const [g, k] = await both(['+cookie=0102030405060708', '+nobadcookie', '$NAME', 'A'], 'api.example.com');
    expect([g.status, k.status]).toEqual(['BADCOOKIE', 'BADCOOKIE']);
    const [gt, kt] = await both(['+cookie=0102030405060708', '+tcp', '$NAME', 'A']);
    expect([gt.status, kt.status]).toEqual(['NOERROR', 'NOERROR']);
    // Knot's cookie to geosteer, geosteer's to Knot
    expect((await dig(geo.port, [`+cookie=${k.cookie}`, '+nobadcookie', 'api.example.com', 'A'])).status).toBe('NOERROR');
    expect((await dig(knot.port, [`+cookie=${g.cookie}`, '+nobadcookie', 'api.example.com', 'A'])).status).toBe('NOERROR');
    // a cookie neither made is refused by both
    const forged = `${g.cookie!.slice(0, 32)}0000000000000000`;
    const [gf, kf] = await both([`+cookie=${forged}`, '+nobadcookie', '$NAME', 'A']);
    expect([gf.status, kf.status]).toEqual(['BADCOOKIE', 'BADCOOKIE']);
  });

  it('cookies stamped in the same second are the same octets (RFC 9018 4.4 with one secret)', async () => {
    for (let attempt = 0; attempt < 5; attempt++) {
      const [g, k] = await both(['+cookie=1112131415161718', '+nobadcookie', '$NAME', 'A']);
      if (g.cookie!.slice(24, 32) !== k.cookie!.slice(24, 32)) continue; // the second turned between the two queries
      expect(g.cookie).toBe(k.cookie);
      return;
    }
    throw new Error('five pairs of queries all straddled a second');
  });
});

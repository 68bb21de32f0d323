import { afterAll, beforeAll, expect, it } from 'vitest';
import { dig } from '../support/dig.js';
import { describeWithTool } from '../support/system-tool.js';
import { exampleDocument, startServer, type TestServer } from '../support/test-server.js';

// NSID (RFC 5001) and CHAOS identity over real UDP and TCP, asked with dig.

const DIG = { command: 'dig', versionArgs: ['-v'], apt: 'dnsutils' };

describeWithTool('NSID and CHAOS identity', DIG, () => {
  let server: TestServer;
  let bare: TestServer;
  beforeAll(async () => {
    const doc = exampleDocument();
    doc.dns.nsid = 'geosteer-taipei-1';
    doc.dns.version = 'geosteer 0.1.0';
    server = await startServer(doc);
    const plain = exampleDocument();
    bare = await startServer(plain);
  });
  afterAll(async () => {
    await server?.close();
    await bare?.close();
  });

  it('answers an empty NSID option with dns.nsid, over UDP and TCP', async () => {
    expect((await dig(server.port, ['+nsid', 'api.example.com', 'A'])).nsid).toBe('geosteer-taipei-1');
    expect((await dig(server.port, ['+nsid', '+tcp', 'example.com', 'SOA'])).nsid).toBe('geosteer-taipei-1');
    // error replies carry it too: REFUSED outside the zones, NXDOMAIN inside
    const refused = await dig(server.port, ['+nsid', 'www.example.org', 'A']);
    expect([refused.status, refused.nsid]).toEqual(['REFUSED', 'geosteer-taipei-1']);
    const nx = await dig(server.port, ['+nsid', 'nope.example.com', 'A']);
    expect([nx.status, nx.nsid]).toEqual(['NXDOMAIN', 'geosteer-taipei-1']);
  });

  it('sends no NSID unless asked, or when the request carries data (RFC 5001 2.1: the request is empty)', async () => {
    const unasked = await dig(server.port, ['api.example.com', 'A']);
    expect([unasked.edns, unasked.nsid]).toEqual([true, undefined]);
    expect((await dig(server.port, ['+ednsopt=3:6162', 'api.example.com', 'A'])).nsid).toBeUndefined();
  });

  it('sends no NSID when dns.nsid is off', async () => {
    const reply = await dig(bare.port, ['+nsid', 'api.example.com', 'A']);
    expect([reply.status, reply.edns, reply.nsid]).toEqual(['NOERROR', true, undefined]);
  });

  it('CHAOS TXT id.server and hostname.bind answer the NSID, version.bind dns.version (TTL 0, class CH)', async () => {
    for (const name of ['id.server', 'hostname.bind', 'ID.Server']) {
      const reply = await dig(server.port, [name, 'CH', 'TXT']);
      expect([reply.status, reply.flags.includes('aa'), reply.answers]).toEqual(['NOERROR', true, [`${name}. 0 CH TXT "geosteer-taipei-1"`]]);
    }
    expect((await dig(server.port, ['version.bind', 'CH', 'TXT', '+tcp'])).answers).toEqual(['version.bind. 0 CH TXT "geosteer 0.1.0"']);
  });

  it('every other CHAOS query is REFUSED, as are these names when the option is off', async () => {
    for (const args of [['id.server', 'CH', 'A'], ['id.server', 'CH', 'ANY'], ['authors.bind', 'CH', 'TXT'], ['api.example.com', 'CH', 'TXT']]) {
      const reply = await dig(server.port, args);
      expect([args.join(' '), reply.status, reply.counts.answer]).toEqual([args.join(' '), 'REFUSED', 0]);
    }
    for (const name of ['id.server', 'hostname.bind', 'version.bind']) expect((await dig(bare.port, [name, 'CH', 'TXT'])).status).toBe('REFUSED');
  });

  it('other classes keep their answers: HS is REFUSED, IN and ANY are answered', async () => {
    expect((await dig(server.port, ['id.server', 'HS', 'TXT'])).status).toBe('REFUSED');
    expect((await dig(server.port, ['example.com', 'ANY', 'SOA'])).status).toBe('NOERROR');
  });
});

import { afterAll, beforeAll, expect, it } from 'vitest';
import { dig } from '../support/dig.js';
import { describeWithTool } from '../support/system-tool.js';
import { exampleDocument, startServer, type TestServer } from '../support/test-server.js';

// ECS edge cases (RFC 7871) on the example config and the bundled GeoLite2 data, asked with
// dig +subnet; explain must report the scope DNS sends.

const DIG = { command: 'dig', versionArgs: ['-v'], apt: 'dnsutils' };
const TAIWAN = 'api.example.com. 30 IN A 198.51.100.10';
const US_WEST = 'api.example.com. 30 IN A 198.51.100.40';

async function ecs(server: TestServer, subnet: string) {
  const reply = await dig(server.port, [`+subnet=${subnet}`, 'api.example.com', 'A']);
  const explained = server.service.explain('api.example.com', subnet);
  return { subnet: reply.subnet, answers: reply.answers, explainedScope: explained.client.scope };
}

describeWithTool('ECS edge cases', DIG, () => {
  let plain: TestServer;
  let beyond: TestServer;
  let asIs: TestServer;
  beforeAll(async () => {
    plain = await startServer(exampleDocument());
    const doc = exampleDocument();
    doc.dns.ecs = { scope_beyond_source: true };
    beyond = await startServer(doc);
    const raw = exampleDocument();
    raw.dns.ecs = { private: 'as_is' };
    asIs = await startServer(raw);
  });
  afterAll(async () => {
    await Promise.all([plain?.close(), beyond?.close(), asIs?.close()]);
  });

  it('an IPv4-mapped ECS is located as IPv4 and scoped in IPv6 bits: /22 network + 96, capped at the source', async () => {
    expect(await ecs(plain, '1.34.5.0/24')).toEqual({ subnet: '1.34.5.0/24/22', answers: [TAIWAN], explainedScope: 22 });
    expect(await ecs(plain, '::ffff:1.34.5.0/120')).toEqual({ subnet: '::ffff:1.34.5.0/120/118', answers: [TAIWAN], explainedScope: 118 });
    expect(await ecs(plain, '::ffff:1.34.4.0/117')).toEqual({ subnet: '::ffff:1.34.0.0/117/117', answers: [TAIWAN], explainedScope: 117 });
  });

  it('a private, loopback, link-local, CGNAT or unique-local ECS is no location: the resolver (127.0.0.1) decides, scope 0', async () => {
    const resolver = (await dig(plain.port, ['+nocookie', 'api.example.com', 'A'])).answers;
    for (const subnet of ['10.1.2.0/24', '172.16.5.0/24', '192.168.1.0/24', '127.0.0.0/8', '169.254.0.0/16', '100.64.3.0/24', 'fd00::/8', 'fc12:3400::/24', 'fe80::/10', '::1/128', '::ffff:10.0.0.0/104']) {
      const got = await ecs(plain, subnet);
      expect([subnet, got.subnet?.split('/').at(-1), got.answers, got.explainedScope]).toEqual([subnet, '0', resolver, 0]);
    }
  });

  it('a prefix wider than the private block, or just outside it, is located as usual', async () => {
    expect((await ecs(plain, '100.0.0.0/8')).subnet).toBe('100.0.0.0/8/8');
    expect((await ecs(plain, '172.32.0.0/16')).subnet?.endsWith('/0')).toBe(false);
  });

  it('dns.ecs.private: as_is looks the private address up: unknown location, the default tier, the empty network as scope', async () => {
    expect(await ecs(asIs, '10.1.2.0/24')).toEqual({ subnet: '10.1.2.0/24/8', answers: [TAIWAN], explainedScope: 8 });
  });

  it('scope_beyond_source: a /16 spanning places with other answers gets the network length; a uniform one the source prefix', async () => {
    // 168.95.0.0/16 holds TW (taiwan) and US (us-west) networks; 168.95.0.0 is in a TW /17
    expect(await ecs(plain, '168.95.0.0/16')).toEqual({ subnet: '168.95.0.0/16/16', answers: [TAIWAN], explainedScope: 16 });
    expect(await ecs(beyond, '168.95.0.0/16')).toEqual({ subnet: '168.95.0.0/16/17', answers: [TAIWAN], explainedScope: 17 });
    // 24.48.0.0/16: CA, US and PR networks, all answered by the continent NA rule
    expect(await ecs(beyond, '24.48.0.0/16')).toEqual({ subnet: '24.48.0.0/16/16', answers: [US_WEST], explainedScope: 16 });
    // more places than the locator lists (2.56.0.0/16: dozens of countries): not uniform
    expect((await ecs(beyond, '2.56.0.0/16')).subnet).toBe('2.56.0.0/16/22');
    // a network no longer than the source prefix is the scope, as without the option
    expect((await ecs(beyond, '1.34.5.0/24')).subnet).toBe('1.34.5.0/24/22');
    // never past /24: resolvers send no longer prefixes by default (1.34.0.0/32 is a CN network inside TW space)
    expect((await ecs(beyond, '1.34.0.0/16')).subnet).toBe('1.34.0.0/16/24');
  });
});

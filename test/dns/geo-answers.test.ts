import { Resolver } from 'node:dns/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ask } from '../support/dns-client.js';
import { startServer, type TestServer } from '../support/test-server.js';

// Addresses checked against the bundled GeoLite2 data (network prefix in parentheses).
const TAIWAN = ['198.51.100.10', '2001:db8:1::10'];
const TOKYO = ['198.51.100.30', '2001:db8:3::30'];
const US_WEST = ['198.51.100.40', '2001:db8:4::40'];

let server: TestServer;
beforeAll(async () => {
  server = await startServer(undefined, {}, { ipv6: true });
});
afterAll(() => server.close());

describe('answers by client country (ECS, real GeoLite2 data, real UDP)', () => {
  const cases: [string, string, string[], number][] = [
    // [label, ECS subnet, expected addresses (A, AAAA), expected scope]
    ['Taiwan 1.34.5.0/24 (TW /22)', '1.34.5.0/24', TAIWAN, 22],
    ['Japan 202.32.0.0/24', '202.32.0.0/24', TOKYO, -1],
    ['US 8.8.8.0/24 (US /15)', '8.8.8.0/24', US_WEST, 15],
    ['Canada 24.48.0.0/24 (continent NA)', '24.48.0.0/24', US_WEST, -1],
    ['Brazil 189.0.0.0/24 (default rule)', '189.0.0.0/24', TAIWAN, -1],
    ['Taiwan IPv6 2001:b000::/48', '2001:b000::/48', TAIWAN, -1],
  ];
  for (const [label, ecs, [v4, v6], scope] of cases) {
    it(`${label} -> ${v4}`, async () => {
      const a = await ask(server.port, { name: 'api.example.com', type: 'A', ecs });
      expect(a.rcode).toBe(0);
      expect(a.aa).toBe(true);
      expect(a.answers).toEqual([v4]);
      const [ip, source] = ecs.split('/');
      expect(a.ecs?.sourcePrefixLength).toBe(Number(source));
      expect(a.ecs?.scopePrefixLength).toBeGreaterThan(0);
      expect(a.ecs?.scopePrefixLength).toBeLessThanOrEqual(Number(source));
      if (scope > 0) expect(a.ecs?.scopePrefixLength).toBe(scope);
      // the address comes back as sent (dns2 prints IPv6 uncompressed)
      expect(a.ecs?.ip.replace(/(:0)+$/, '::').replace(':::', '::')).toBe(ip);
      const aaaa = await ask(server.port, { name: 'api.example.com', type: 'AAAA', ecs });
      expect(aaaa.answers).toEqual([v6]);
    });
  }

  it('without ECS the source address decides (127.0.0.1 is not in the data: default rule)', async () => {
    const resolver = new Resolver({ timeout: 2000, tries: 1 });
    resolver.setServers([`127.0.0.1:${server.port}`]);
    expect(await resolver.resolve4('api.example.com')).toEqual([TAIWAN[0]]);
    expect(await resolver.resolve6('api.example.com')).toEqual([TAIWAN[1]]);
  });

  it('answers over IPv6 too', async () => {
    const r = await ask(server.port6!, { name: 'api.example.com', type: 'A', ecs: '8.8.8.0/24', host: '::1' });
    expect(r.answers).toEqual([US_WEST[0]]);
  });
});

import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { hostilePacket, KINDS, plainQuery, seededRandom, validQuery } from '../../load/hostile-packets.mjs';
import type { MessageHandler } from '../../src/dns/query-handler.js';
import { prefixKey, prefixKeyOfBytes } from '../../src/dns/rate-limiter.js';
import { parseIPv6 } from '../../src/shared/ip-address.js';
import { builtHandler, exampleDocument } from '../support/test-server.js';

// handleInto (the batch path: packet in a fixed slot, client address as bytes, reply written
// into a caller's buffer) must give byte for byte what handle (the dgram path) gives. Two
// services (the production wiring, not started) with the same seeded randomness and cookie secret answer the
// same packets, one through each entry point.

/** The example config with a TXT record too big for 512 octets, so truncation is exercised. */
function document(rrl = false): Record<string, any> {
  const doc = exampleDocument();
  doc.zones[0].records.push({ name: 'big', type: 'TXT', value: 'x'.repeat(700) });
  // chains, wildcards, a delegation and HTTPS hints: the answers with late-bound pointers and chain prefixes
  doc.zones[0].records.push(
    { name: '*.tenants', type: 'CNAME', value: 'www.example.com.' },
    { name: '*.wild', type: 'A', value: '192.0.2.99' },
    { name: 'api', type: 'HTTPS', value: '1 . alpn=h2 ipv4hint=steered ipv6hint=steered' },
    { name: 'sub', type: 'NS', value: 'ns.sub.example.com.' },
    { name: 'ns.sub', type: 'A', value: '192.0.2.54' },
  );
  doc.names.push({ name: '*.edge.example.com', default: ['tokyo'] });
  if (rrl) doc.dns.rrl = { enabled: true, responses_per_second: 3, slip: 2 };
  return doc;
}

type Apps = [{ handler: MessageHandler }, { handler: MessageHandler }];

async function twoApps(rrl = false): Promise<Apps> {
  // one cookie secret for both: a random one per service would make their server cookies differ
  const cookieSecret = () => Buffer.alloc(16, 0x5c);
  const make = () => builtHandler(document(rrl), { rand: seededRandom(7), clock: () => 1_000_000, cookieSecret });
  return [await make(), await make()];
}

/** A source address both as text (dgram's rinfo.address) and as the addon's bytes. */
function source(text: string): { text: string; family: number; bytes: Uint8Array } {
  const bytes = new Uint8Array(16);
  if (text.includes(':')) {
    parseIPv6(text, bytes);
    return { text, family: 6, bytes };
  }
  text.split('.').forEach((p, i) => (bytes[i] = Number(p)));
  return { text, family: 4, bytes };
}

const SOURCES = ['127.0.0.1', '1.34.5.6', '203.116.0.9', '8.8.8.8', '::1', '2001:b000::1', '::ffff:202.32.0.1'].map(source);

/** A 64 KiB receive slot with the packet at 0 and stale bytes after it, as the addon leaves it. */
const slot = Buffer.alloc(65536, 0xa5);
const out = Buffer.alloc(1232);

/** Both entry points on one packet: [handle's reply, handleInto's reply] (undefined: dropped). */
function both(apps: Apps, packet: Buffer, from: (typeof SOURCES)[number]): [Buffer | undefined, Buffer | undefined] {
  const viaHandle = apps[0].handler.handle(packet, 'udp', from.text);
  slot.fill(0xa5, 0, packet.length + 64);
  packet.copy(slot, 0);
  const n = apps[1].handler.handleInto(slot, packet.length, { family: from.family, bytes: from.bytes, offset: 0 }, out);
  return [viaHandle, n < 0 ? undefined : Buffer.from(out.subarray(0, n))];
}

describe('QueryHandler.handleInto gives the bytes handle gives', () => {
  let apps: Apps;
  beforeAll(async () => {
    apps = await twoApps();
  });

  it('for valid queries of every kind, from IPv4, IPv6 and IPv4-mapped sources (steering by source included)', () => {
    const rand = seededRandom(1);
    let answered = 0;
    for (let i = 0; i < 3000; i++) {
      const from = SOURCES[i % SOURCES.length];
      const packet = validQuery(rand, { edns: i % 3 !== 0, ecs: i % 2 === 0 });
      const [a, b] = both(apps, packet, from);
      expect(b).toEqual(a);
      if (a !== undefined) answered++;
    }
    expect(answered).toBeGreaterThan(2500);
  });

  it('for truncated answers: TC without EDNS, the full answer within the client payload size', () => {
    const from = SOURCES[0];
    const [tcA, tcB] = both(apps, Buffer.from(validQuery(seededRandom(2), { name: 'big.example.com', type: 16, edns: false })), from);
    expect(tcA![2] & 0x02).toBe(0x02);
    expect(tcB).toEqual(tcA);
    const [fullA, fullB] = both(apps, plainQuery('big.example.com', 16), from);
    expect(fullA![2] & 0x02).toBe(0);
    expect(fullA!.length).toBeGreaterThan(700);
    expect(fullB).toEqual(fullA);
  });

  it('for chains, wildcards, referrals and steered HTTPS of names of every length', () => {
    const names = ['www.example.com', 'a.tenants.example.com', 'A.Much.Longer.Name.Tenants.example.com', 'x.wild.example.com', 'x.y.WILD.example.com', 'sub.example.com', 'a.b.sub.example.com', 'q.edge.example.com', 'nx9.example.com'];
    const rand = seededRandom(3);
    for (const name of names) {
      for (const type of [1, 28, 65, 15, 5, 255, 43]) {
        for (const from of SOURCES) {
          const packet = validQuery(rand, { name, type, edns: true, ecs: rand() < 0.5 });
          const [a, b] = both(apps, packet, from);
          expect(b).toEqual(a);
          // answered, not dropped: in class IN or ANY NXDOMAIN for the one missing name and NOERROR
          // for the rest; validQuery sends a few in CH or NONE, which are REFUSED
          const qclass = packet.readUInt16BE(12 + name.length + 2 + 2);
          expect(a![3] & 0x0f, `${name} ${type} class ${qclass}`).toBe(qclass !== 1 && qclass !== 255 ? 5 : name === 'nx9.example.com' ? 3 : 0);
        }
      }
    }
  });

  for (const kind of KINDS) {
    it(`for generated ${kind} packets`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.nat(SOURCES.length - 1), (seed, s) => {
          const packet = hostilePacket(kind, seededRandom(seed)).subarray(0, 65535);
          const [a, b] = both(apps, packet, SOURCES[s]);
          expect(b).toEqual(a);
        }),
        { numRuns: 800 },
      );
    });
  }

  it('for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const [a, b] = both(apps, Buffer.from(bytes), SOURCES[1]);
        expect(b).toEqual(a);
      }),
      { numRuns: 3000 },
    );
  });

  it('with response rate limiting: the same sends, slips and drops per client prefix', async () => {
    const limited = await twoApps(true);
    const outcomes: string[] = [];
    for (let i = 0; i < 60; i++) {
      const from = SOURCES[i % 3 === 0 ? 4 : i % 3 === 1 ? 5 : 1];
      const [a, b] = both(limited, plainQuery('api.example.com', 1), from);
      expect(b).toEqual(a);
      outcomes.push(a === undefined ? 'drop' : a[2] & 0x02 ? 'slip' : 'send');
    }
    // 3 per second per prefix, then every 2nd over the limit slips: 20 queries from each of three prefixes
    const perPrefix = ['send', 'send', 'send', ...Array.from({ length: 17 }, (_, i) => (i % 2 === 1 ? 'slip' : 'drop'))];
    expect(outcomes.filter((_, i) => i % 3 === 0)).toEqual(perPrefix);
    expect(outcomes.filter((_, i) => i % 3 === 1)).toEqual(perPrefix);
  });

  it('returns -1 (drop) when the reply buffer is too small for the reply', () => {
    const packet = plainQuery('big.example.com', 16);
    packet.copy(slot, 0);
    const small = Buffer.alloc(512);
    expect(apps[1].handler.handleInto(slot, packet.length, { family: 4, bytes: SOURCES[0].bytes, offset: 0 }, small)).toBe(-1);
  });
});

describe('prefixKeyOfBytes', () => {
  it('is prefixKey of the same address', () => {
    for (const text of ['192.0.2.77', '::ffff:192.0.2.77', '2001:db8:1:2ff::1', '2001:db8:1:200::9', '::1', 'fe80::abcd:1', '2001:b000::1']) {
      const s = source(text);
      expect(prefixKeyOfBytes(s.family, s.bytes, 0), text).toBe(prefixKey(text));
    }
  });
});

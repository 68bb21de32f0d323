import fc from 'fast-check';
import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ecsData, hostilePacket, KINDS, optRecord, seededRandom, validQuery } from '../../load/hostile-packets.mjs';
import type { MessageHandler } from '../../src/dns/query-handler.js';
import { assertAnswers } from '../support/wire-check.js';
import { builtHandler, type TestServer } from '../support/test-server.js';
import { describeEachUdpPath, startServerOnPath } from '../support/udp-paths.js';

// Hostile input: whatever bytes arrive, the handler returns undefined (drop) or a
// well-formed response to that query, and never throws.

const MAX_UDP = 1232;
// The production wiring, built but never started: its handler is called directly.
let handler: MessageHandler;
beforeAll(async () => {
  ({ handler } = await builtHandler());
});

/** The UDP size limit the reply must respect: 512 without OPT, else the smaller of ours and theirs. */
function udpLimit(query: Buffer): number {
  // Conservative: a reply may always be as big as our max; without any OPT bytes it must fit 512.
  return query.includes(Buffer.from([0, 0, 41])) ? MAX_UDP : 512;
}

function check(query: Buffer, transport: 'udp' | 'tcp'): void {
  let reply: Buffer | undefined;
  expect(() => {
    reply = handler.handle(query, transport, '127.0.0.1');
  }).not.toThrow();
  if (reply === undefined) return;
  try {
    assertAnswers(query, reply, transport === 'udp' ? udpLimit(query) : 65535);
  } catch (err) {
    throw new Error(`${(err as Error).message}\nquery ${query.toString('hex')}\nreply ${reply.toString('hex')}`);
  }
}

/** Byte-level mutations of a valid query. */
const mutated = fc
  .tuple(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'flip', 'cut', 'insert')), { minLength: 1, maxLength: 6 }))
  .map(([seed, edits]) => {
    let q = Buffer.from(validQuery(seededRandom(seed)));
    for (const [at, value, op] of edits) {
      const i = q.length === 0 ? 0 : at % q.length;
      if (op === 'set') q[i] = value;
      else if (op === 'flip') q[i] ^= 1 << (value & 7);
      else if (op === 'cut') q = q.subarray(0, i);
      else q = Buffer.concat([q.subarray(0, i), Buffer.from([value]), q.subarray(i)]);
    }
    return q;
  });

describe('QueryHandler.handle on hostile input', () => {
  it('any byte string: a drop or a well-formed response', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 700 }), fc.constantFrom('udp' as const, 'tcp' as const), (bytes, t) => check(Buffer.from(bytes), t)), { numRuns: 3000 });
  });

  it('byte strings with a query-like header get past the header checks', () => {
    const queryLike = fc.uint8Array({ minLength: 12, maxLength: 400 }).map((b) => {
      const q = Buffer.from(b);
      q[2] &= 0x07; // QR off, opcode 0
      q.writeUInt16BE(1, 4);
      return q;
    });
    fc.assert(fc.property(queryLike, (q) => check(q, 'udp')), { numRuns: 3000 });
  });

  it('mutated valid queries (set, flip, cut, insert bytes)', () => {
    fc.assert(fc.property(mutated, fc.constantFrom('udp' as const, 'tcp' as const), (q, t) => check(q, t)), { numRuns: 5000 });
  });

  for (const kind of KINDS) {
    it(`generated ${kind} packets`, () => {
      fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => check(hostilePacket(kind, seededRandom(seed)), 'udp')), { numRuns: 1500 });
    });
  }

  describe('rcodes for the shapes a decoder must recognise', () => {
    const q = (qname: Buffer, extra: Buffer[] = [], counts: [number, number, number] = [0, 0, extra.length]) => {
      const h = Buffer.alloc(12);
      h.writeUInt16BE(0x1234, 0);
      h.writeUInt16BE(1, 4);
      h.writeUInt16BE(counts[0], 6);
      h.writeUInt16BE(counts[1], 8);
      h.writeUInt16BE(counts[2], 10);
      return Buffer.concat([h, qname, Buffer.from([0, 1, 0, 1]), ...extra]);
    };
    const API = Buffer.from('03617069076578616d706c6503636f6d00', 'hex');
    const v4 = ecsData(1, 24, [1, 34, 5, 0]);
    const cases: [string, Buffer, number | 'drop'][] = [
      ['question name pointing at itself', q(Buffer.from([0xc0, 0x0c])), 1],
      ['label then a pointer back to it', q(Buffer.from([3, 0x61, 0x70, 0x69, 0xc0, 0x0c])), 1],
      ['reserved label type 0x40', q(Buffer.from([0x41, 0x61, 0])), 1],
      ['label running past the end', Buffer.concat([q(Buffer.alloc(0)).subarray(0, 12), Buffer.from([63, 0x61, 0x61])]), 1],
      ['name of 320 octets', q(Buffer.concat([...Array.from({ length: 5 }, () => Buffer.concat([Buffer.from([63]), Buffer.alloc(63, 0x62)])), Buffer.from([0])])), 1],
      ['OPT version 1', q(API, [optRecord({ version: 1 })]), 0 /* BADVERS = 16: low four bits 0, high bits in OPT */],
      ['two OPT records', q(API, [optRecord(), optRecord()]), 1],
      ['OPT not owned by the root', q(API, [optRecord({ owner: Buffer.from('076578616d706c6500', 'hex') })]), 1],
      ['OPT in the answer section', q(API, [optRecord()], [1, 0, 0]), 1],
      ['ECS family 3', q(API, [optRecord({ options: [{ code: 8, data: ecsData(3, 24, [1, 2, 3]) }] })]), 1],
      ['ECS source /33', q(API, [optRecord({ options: [{ code: 8, data: Buffer.from([0, 1, 33, 0, 1, 2, 3, 4, 5]) }] })]), 1],
      ['ECS address shorter than the prefix', q(API, [optRecord({ options: [{ code: 8, data: Buffer.from([0, 1, 24, 0, 1, 2]) }] })]), 1],
      ['ECS bits set past the prefix', q(API, [optRecord({ options: [{ code: 8, data: Buffer.from([0, 1, 20, 0, 1, 2, 0xff]) }] })]), 1],
      ['two ECS options', q(API, [optRecord({ options: [{ code: 8, data: v4 }, { code: 8, data: v4 }] })]), 1],
      ['option length past the rdata', q(API, [optRecord({ options: [{ code: 8, data: v4, length: 200 }] })]), 1],
      ['trailing garbage', Buffer.concat([q(API), Buffer.from([1, 2, 3])]), 1],
      ['record count larger than the records', q(API, [], [0, 0, 3]), 1],
      ['an unknown EDNS option is ignored', q(API, [optRecord({ options: [{ code: 65001, data: Buffer.from([1, 2]) }] })]), 0],
      ['a response is dropped', Buffer.from(q(API).map((b, i) => (i === 2 ? 0x80 : b))), 'drop'],
      ['a header cut short is dropped', q(API).subarray(0, 11), 'drop'],
    ];
    for (const [label, packet, rcode] of cases) {
      it(label, () => {
        const reply = handler.handle(packet, 'udp', '127.0.0.1');
        if (rcode === 'drop') return expect(reply).toBeUndefined();
        expect(reply).toBeDefined();
        assertAnswers(packet, reply!, 1232);
        expect(reply![3] & 0x0f).toBe(rcode);
      });
    }
    it('BADVERS carries the extended rcode in the OPT record', () => {
      const reply = handler.handle(q(API, [optRecord({ version: 1 })]), 'udp', '127.0.0.1')!;
      // the OPT is the last record: TTL's first byte is the high 8 bits of the rcode (16 >> 4 = 1)
      expect(reply[reply.length - 11 + 5]).toBe(1);
    });
  });

  it('a valid query still gets the right answer after all of that', () => {
    const query = validQuery(seededRandom(1), { name: 'api.example.com', type: 1, edns: false });
    const reply = handler.handle(query, 'udp', '127.0.0.1')!;
    const r = assertAnswers(query, reply, 512);
    expect(r.rcode).toBe(0);
    expect(r.counts[1]).toBe(1);
    expect(reply.subarray(reply.length - 4).join('.')).toBe('198.51.100.10'); // default rule: taiwan
  });
});

describeEachUdpPath('hostile input over the real UDP socket', (path) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServerOnPath(path);
  });
  afterAll(() => server.close());

  it('a sample of every kind: replies match the handler, drops stay silent, the server keeps answering', async () => {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const replies: Buffer[] = [];
    let waiter: (() => void) | undefined;
    socket.on('message', (m) => {
      replies.push(m);
      waiter?.();
    });
    const nextReply = (timeoutMs: number) =>
      new Promise<Buffer | undefined>((resolve) => {
        if (replies.length > 0) return resolve(replies.shift());
        const timer = setTimeout(() => resolve(undefined), timeoutMs);
        waiter = () => {
          clearTimeout(timer);
          waiter = undefined;
          resolve(replies.shift());
        };
      });
    try {
      const rand = seededRandom(2026);
      let answered = 0;
      for (const kind of KINDS) {
        for (let i = 0; i < 40; i++) {
          const query = hostilePacket(kind, rand);
          if (query.length === 0) continue; // a zero-length datagram is nothing to answer
          const expected = handler.handle(query, 'udp', '127.0.0.1');
          socket.send(query, server.port, '127.0.0.1');
          if (expected === undefined) continue;
          const reply = await nextReply(2000);
          expect(reply, `no reply to ${kind} ${query.toString('hex')}`).toBeDefined();
          assertAnswers(query, reply!, udpLimit(query));
          expect(reply![3] & 0x0f).toBe(expected[3] & 0x0f);
          answered++;
        }
      }
      expect(answered).toBeGreaterThan(100);
      const normal = validQuery(seededRandom(3), { name: 'api.example.com', type: 1, edns: false });
      socket.send(normal, server.port, '127.0.0.1');
      const reply = await nextReply(2000);
      // the next reply is the normal one: no stray replies to packets that should be dropped
      expect(reply?.readUInt16BE(0)).toBe(normal.readUInt16BE(0));
      expect(reply!.subarray(reply!.length - 4).join('.')).toBe('198.51.100.10');
    } finally {
      socket.close();
    }
  });
});

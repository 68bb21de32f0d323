// Hostile DNS packets from a seeded generator: shared by load/fuzz.mjs and the property
// tests, so a failing seed reproduces in both. Pure; no I/O.

/** Kinds of packet the generator makes, in the order fuzz totals are printed. */
export const KINDS = ['random', 'truncated', 'oversized', 'compression-loop', 'bogus-label', 'bad-opt', 'bit-flip', 'valid'];

/** mulberry32: a small seeded PRNG, enough for test input. */
export function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NAMES = ['api.example.com', 'API.Example.COM', 'example.com', 'www.example.com', 'ns1.example.com', 'nx1.example.com', 'a.b.c.api.example.com', 'other.org', ''];
const TYPES = [1, 28, 6, 255, 15, 16, 5, 2, 257, 252, 251, 0xfd, 0, 65535];

function int(rand, n) {
  return Math.floor(rand() * n);
}

function pick(rand, list) {
  return list[int(rand, list.length)];
}

function encodeName(name) {
  const parts = [];
  for (const label of name === '' ? [] : name.split('.')) parts.push(Buffer.from([label.length]), Buffer.from(label, 'latin1'));
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

function header(id, flags, qd, an, ns, ar) {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(id, 0);
  h.writeUInt16BE(flags, 2);
  h.writeUInt16BE(qd, 4);
  h.writeUInt16BE(an, 6);
  h.writeUInt16BE(ns, 8);
  h.writeUInt16BE(ar, 10);
  return h;
}

/** An OPT record (RFC 6891) with the given options ({code, data}) and fields. */
export function optRecord({ udpSize = 1232, version = 0, dnssecOk = false, options = [], owner = Buffer.from([0]) } = {}) {
  const rdata = Buffer.concat(options.map((o) => Buffer.concat([u16(o.code), u16(o.length ?? o.data.length), o.data])));
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(41, 0);
  fixed.writeUInt16BE(udpSize, 2);
  fixed[5] = version;
  fixed[6] = dnssecOk ? 0x80 : 0;
  fixed.writeUInt16BE(rdata.length, 8);
  return Buffer.concat([owner, fixed, rdata]);
}

function u16(v) {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(v & 0xffff, 0);
  return b;
}

/** ECS option data (RFC 7871 6) for an address already masked to `prefix`. */
export function ecsData(family, prefix, addressBytes) {
  return Buffer.concat([u16(family), Buffer.from([prefix, 0]), Buffer.from(addressBytes.slice(0, (prefix + 7) >> 3))]);
}

function randomEcs(rand) {
  if (rand() < 0.7) {
    const prefix = pick(rand, [24, 24, 24, 16, 32, 0, 20]);
    const bytes = [int(rand, 224) + 1, int(rand, 256), int(rand, 256), int(rand, 256)];
    for (let i = 0; i < 4; i++) {
      const bits = prefix - i * 8;
      bytes[i] = bits >= 8 ? bytes[i] : bits <= 0 ? 0 : bytes[i] & (0xff << (8 - bits));
    }
    return { code: 8, data: ecsData(1, prefix, bytes) };
  }
  const prefix = pick(rand, [48, 56, 32, 64]);
  const bytes = [0x20, 0x01, 0xb0, 0, ...Array.from({ length: 12 }, () => int(rand, 256))];
  for (let i = 0; i < 16; i++) {
    const bits = prefix - i * 8;
    bytes[i] = bits >= 8 ? bytes[i] : bits <= 0 ? 0 : bytes[i] & (0xff << (8 - bits));
  }
  return { code: 8, data: ecsData(2, prefix, bytes) };
}

/** A plain query: id 0, no flags, class IN, and an OPT record (payload 1232) with `options` ({code, data}). */
export function plainQuery(name, type, options = []) {
  return Buffer.concat([header(0, 0, 1, 0, 0, 1), encodeName(name), u16(type), u16(1), optRecord({ options })]);
}

/** `msg` behind the 2-byte length prefix of DNS over TCP (RFC 1035 4.2.2). */
export function tcpFrame(msg) {
  return Buffer.concat([u16(msg.length), msg]);
}

/** A well-formed query: random name, type, EDNS and ECS. */
export function validQuery(rand, opts = {}) {
  const name = opts.name ?? (rand() < 0.1 ? `r${int(rand, 1e6)}.example.com` : pick(rand, NAMES));
  const type = opts.type ?? pick(rand, TYPES);
  const withOpt = opts.edns ?? rand() < 0.8;
  const options = withOpt && (opts.ecs ?? rand() < 0.7) ? [randomEcs(rand)] : [];
  const question = Buffer.concat([encodeName(name), u16(type), u16(rand() < 0.95 ? 1 : pick(rand, [3, 255, 254]))]);
  const additional = withOpt ? [optRecord({ udpSize: pick(rand, [512, 1232, 4096, 0, 65535]), dnssecOk: rand() < 0.3, options })] : [];
  return Buffer.concat([header(int(rand, 65536), rand() < 0.5 ? 0x0100 : 0, 1, 0, 0, additional.length), question, ...additional]);
}

function randomBytes(rand, n) {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = int(rand, 256);
  return b;
}

const makers = {
  random(rand) {
    const b = randomBytes(rand, int(rand, 600));
    // half of them look like a one-question query, so the decoder gets past the header
    if (b.length >= 12 && rand() < 0.5) {
      b[2] &= 0x7f;
      b[4] = 0;
      b[5] = 1;
    }
    return b;
  },
  truncated(rand) {
    const q = validQuery(rand);
    return q.subarray(0, int(rand, q.length));
  },
  oversized(rand) {
    const q = validQuery(rand, { edns: true });
    const size = pick(rand, [600, 1300, 4000, 9000]);
    if (rand() < 0.5) return Buffer.concat([q, randomBytes(rand, size)]); // trailing garbage
    // a valid query made huge by a padding option (RFC 7830), and long names in extra records
    const qdEnd = 12 + encodeName('api.example.com').length + 4;
    const base = validQuery(rand, { name: 'api.example.com', type: 1, edns: false });
    const opt = optRecord({ options: [randomEcs(rand), { code: 12, data: Buffer.alloc(size) }] });
    const h = base.subarray(0, 12);
    h.writeUInt16BE(1, 10);
    return Buffer.concat([h, base.subarray(12, qdEnd), opt]);
  },
  'compression-loop'(rand) {
    const variant = int(rand, 4);
    if (variant === 0) {
      // question name is a pointer to itself
      return Buffer.concat([header(int(rand, 65536), 0, 1, 0, 0, 0), Buffer.from([0xc0, 0x0c]), u16(1), u16(1)]);
    }
    if (variant === 1) {
      // question name a label then a pointer back to its own start
      return Buffer.concat([header(int(rand, 65536), 0, 1, 0, 0, 0), Buffer.from([3, 0x61, 0x70, 0x69, 0xc0, 0x0c]), u16(1), u16(1)]);
    }
    const q = validQuery(rand, { edns: false });
    // an additional record whose owner loops: a pointer to itself or two pointers at each other
    const at = q.length;
    const owner = variant === 2 ? Buffer.from([0xc0 | (at >> 8), at & 0xff]) : Buffer.from([0xc0 | ((at + 2) >> 8), (at + 2) & 0xff, 0xc0 | (at >> 8), at & 0xff]);
    const rr = Buffer.concat([owner, u16(1), u16(1), Buffer.alloc(4), u16(4), Buffer.from([1, 2, 3, 4])]);
    const h = Buffer.from(q.subarray(0, 12));
    h.writeUInt16BE(1, 10);
    return Buffer.concat([h, q.subarray(12), rr]);
  },
  'bogus-label'(rand) {
    const variant = int(rand, 4);
    let name;
    if (variant === 0) name = Buffer.from([0x40 + int(rand, 0x80), 0x61, 0x62, 0]); // reserved label types 01/10
    else if (variant === 1) name = Buffer.concat([Buffer.from([63]), Buffer.alloc(10, 0x61)]); // runs past the end
    else if (variant === 2) name = Buffer.concat([...Array.from({ length: 5 }, () => Buffer.concat([Buffer.from([63]), Buffer.alloc(63, 0x62)])), Buffer.from([0])]); // 320 octets
    else name = Buffer.concat([Buffer.from([3]), randomBytes(rand, 3), Buffer.from([0])]); // binary label
    return Buffer.concat([header(int(rand, 65536), 0, 1, 0, 0, 0), name, u16(1), u16(1)]);
  },
  'bad-opt'(rand) {
    const base = validQuery(rand, { edns: false });
    const h = Buffer.from(base.subarray(0, 12));
    const body = base.subarray(12);
    const v4 = ecsData(1, 24, [1, 34, 5, 0]);
    const variants = [
      () => [optRecord({ version: 1 })],
      () => [optRecord(), optRecord()],
      () => [optRecord({ owner: encodeName('example.com') })],
      () => [optRecord({ options: [{ code: 8, data: ecsData(3, 24, [1, 2, 3]) }] })],
      () => [optRecord({ options: [{ code: 8, data: Buffer.from([0, 1, 33, 0, 1, 2, 3, 4, 5]) }] })], // /33
      () => [optRecord({ options: [{ code: 8, data: Buffer.from([0, 1, 24, 0, 1, 2]) }] })], // short address
      () => [optRecord({ options: [{ code: 8, data: Buffer.from([0, 1, 20, 0, 1, 2, 0xff]) }] })], // bits past the prefix
      () => [optRecord({ options: [{ code: 8, data: v4 }, { code: 8, data: v4 }] })], // two ECS
      () => [optRecord({ options: [{ code: 8, data: v4, length: 200 }] })], // option length past rdata
      () => [optRecord({ options: [{ code: 8, data: Buffer.from([0, 1]) }] })], // ECS too short
      () => [optRecord({ options: [{ code: 8, data: Buffer.from([0, 2, 129, 0, ...Array(17).fill(0)]) }] })], // /129
      () => {
        const o = optRecord({ options: [{ code: 8, data: v4 }] });
        o.writeUInt16BE(o.readUInt16BE(9) + 50, 9); // rdlength past the end
        return [o];
      },
      () => [optRecord({ options: [{ code: 65001, data: randomBytes(rand, int(rand, 40)) }] })], // unknown option: fine
    ];
    const records = pick(rand, variants)();
    if (rand() < 0.15) {
      // OPT in the answer section instead
      h.writeUInt16BE(records.length, 6);
    } else h.writeUInt16BE(records.length, 10);
    return Buffer.concat([h, body, ...records]);
  },
  'bit-flip'(rand) {
    const q = Buffer.from(validQuery(rand));
    const flips = 1 + int(rand, 8);
    for (let i = 0; i < flips; i++) q[int(rand, q.length)] ^= 1 << int(rand, 8);
    return q;
  },
  valid(rand) {
    return validQuery(rand);
  },
};

/** One packet of `kind` from `rand`. */
export function hostilePacket(kind, rand) {
  return makers[kind](rand);
}

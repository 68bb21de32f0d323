import { FieldError, hostTarget, ipv4Field, ipv6Field, nameField, need, needCount, present, type RdataCodec } from './codec.js';
import type { AnyRecordData, DataOf } from './record-data.js';
import { parseTtl, parseUint } from './fields.js';

// Address and name-pointing types: A, AAAA (RFC 1035 3.4.1, RFC 3596), CNAME, NS, PTR
// (RFC 1035 3.3), MX (RFC 1035 3.3.9, null MX RFC 7505), SRV (RFC 2782), SOA (RFC 1035 3.3.13).

/**
 * Why a record that points at a host (NS, MX exchange, SRV target, SOA MNAME) points at
 * something that is not a host name, or undefined. Kept apart from the syntax: BIND and
 * Knot read "NS ." or "MX 10 _x.example." fine, but no resolver or mail server can use
 * them (RFC 2181 10.3, RFC 2782, RFC 1123 2.1).
 */
export function hostTargetProblem(data: AnyRecordData): string | undefined {
  switch (data.type) {
    case 'NS':
      return hostTarget(data.host, 'the name server');
    case 'MX':
      return hostTarget(data.exchange, 'the exchange', 'a null MX (RFC 7505)');
    case 'SRV':
      return hostTarget(data.target, 'the target', '"no such service here" (RFC 2782)');
    case 'SOA':
      return hostTarget(data.mname, 'the primary server (MNAME)');
    default:
      return undefined;
  }
}

export const A: RdataCodec<'A'> = {
  parse(tokens) {
    needCount(tokens, 1, 'an IPv4 address');
    return { type: 'A', address: ipv4Field(tokens[0].text, 'the address') };
  },
  present: (d) => d.address,
  encode: (d, w) => void w.ipv4(d.address),
  decode: (r) => ({ type: 'A', address: r.ipv4('the address') }),
};

export const AAAA: RdataCodec<'AAAA'> = {
  parse(tokens) {
    needCount(tokens, 1, 'an IPv6 address');
    return { type: 'AAAA', address: ipv6Field(tokens[0].text, 'the address') };
  },
  present: (d) => d.address,
  encode: (d, w) => void w.ipv6(d.address),
  decode: (r) => ({ type: 'AAAA', address: r.ipv6('the address') }),
};

/** A type whose rdata is one name (RFC 1035 3.3.1, 3.3.11, 3.3.12). */
function oneName<T extends 'CNAME' | 'NS' | 'PTR', F extends 'target' | 'host'>(type: T, field: F, what: string): RdataCodec<T> {
  const make = (name: string) => ({ type, [field]: name }) as unknown as DataOf<T>;
  const get = (d: DataOf<T>) => (d as unknown as Record<F, string>)[field];
  const label = field === 'host' ? 'the name server' : 'the target';
  return {
    parse(tokens, names) {
      needCount(tokens, 1, what);
      return make(nameField(tokens[0], names, label));
    },
    present: (d) => present(get(d)),
    encode: (d, w) => void w.name(get(d)),
    decode: (r) => make(r.name(label)),
  };
}

export const CNAME = oneName('CNAME', 'target', 'a target name');
export const NS = oneName('NS', 'host', 'a name server host name');
export const PTR = oneName('PTR', 'target', 'a target name');

export const MX: RdataCodec<'MX'> = {
  parse(tokens, names) {
    needCount(tokens, 2, '"PREFERENCE EXCHANGE" like "10 mail.example.com."');
    const preference = need(parseUint(tokens[0].text, 65535, 'the preference'));
    const exchange = nameField(tokens[1], names, 'the exchange');
    // RFC 7505 3: a null MX ("." exchange) has preference 0
    if (exchange === '' && preference !== 0) throw new FieldError('a null MX (exchange ".") must have preference 0 (RFC 7505 3)');
    return { type: 'MX', preference, exchange };
  },
  present: (d) => `${d.preference} ${present(d.exchange)}`,
  encode: (d, w) => void w.u16(d.preference).name(d.exchange),
  decode: (r) => ({ type: 'MX', preference: r.u16('the preference'), exchange: r.name('the exchange') }),
};

export const SRV: RdataCodec<'SRV'> = {
  parse(tokens, names) {
    needCount(tokens, 4, '"PRIORITY WEIGHT PORT TARGET" like "10 5 5060 sip.example.com."');
    return {
      type: 'SRV',
      priority: need(parseUint(tokens[0].text, 65535, 'the priority')),
      weight: need(parseUint(tokens[1].text, 65535, 'the weight')),
      port: need(parseUint(tokens[2].text, 65535, 'the port')),
      // RFC 2782: a target of "." means the service is decidedly not available here
      target: nameField(tokens[3], names, 'the target'),
    };
  },
  present: (d) => `${d.priority} ${d.weight} ${d.port} ${present(d.target)}`,
  encode: (d, w) => void w.u16(d.priority).u16(d.weight).u16(d.port).name(d.target),
  decode: (r) => ({ type: 'SRV', priority: r.u16('the priority'), weight: r.u16('the weight'), port: r.u16('the port'), target: r.name('the target') }),
};

const SOA_FORM = '"MNAME RNAME SERIAL REFRESH RETRY EXPIRE MINIMUM"';

export const SOA: RdataCodec<'SOA'> = {
  parse(tokens, names) {
    needCount(tokens, 7, SOA_FORM);
    // timers take TTL units as BIND allows ("1h", "2w")
    const timer = (i: number, what: string) => need(parseTtl(tokens[i].text, what));
    return {
      type: 'SOA',
      mname: nameField(tokens[0], names, 'the primary server (MNAME)'),
      // RNAME is a mailbox; its first label may hold an escaped dot (RFC 1035 8)
      rname: nameField(tokens[1], names, 'the mailbox (RNAME)'),
      serial: need(parseUint(tokens[2].text, 4_294_967_295, 'the serial')),
      refresh: timer(3, 'the refresh timer'),
      retry: timer(4, 'the retry timer'),
      expire: timer(5, 'the expire timer'),
      minimum: timer(6, 'the minimum (negative-caching TTL)'),
    };
  },
  present: (d) => `${present(d.mname)} ${present(d.rname)} ${d.serial} ${d.refresh} ${d.retry} ${d.expire} ${d.minimum}`,
  encode: (d, w) => void w.name(d.mname).name(d.rname).u32(d.serial).u32(d.refresh).u32(d.retry).u32(d.expire).u32(d.minimum),
  decode: (r) => ({
    type: 'SOA',
    mname: r.name('MNAME'),
    rname: r.name('RNAME'),
    serial: r.u32('the serial'),
    refresh: r.u32('the refresh timer'),
    retry: r.u32('the retry timer'),
    expire: r.u32('the expire timer'),
    minimum: r.u32('the minimum'),
  }),
};

import dns2 from 'dns2';
import type { RecordData } from '../config/records.js';
import { parseIPv6 } from '../shared/ip-address.js';

// Wire-format constants and the control-plane encoders that turn records into bytes once
// per snapshot. Record data is encoded by dns2; the hot path only copies these bytes.

export const TYPE = { A: 1, NS: 2, CNAME: 5, SOA: 6, MX: 15, TXT: 16, AAAA: 28, OPT: 41, DS: 43, CAA: 257, ANY: 255, AXFR: 252, IXFR: 251 } as const;
export const CLASS_IN = 1;
export const CLASS_ANY = 255;
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5, BADVERS: 16 } as const;
export const OPT_ECS = 8;
export const HEADER_SIZE = 12;
/** Compression pointer to the question name, which always starts right after the header. */
export const POINTER_TO_QNAME = 0xc00c;

const { Packet } = dns2;

/** A domain name in uncompressed wire form. */
export function encodeName(name: string): Buffer {
  const labels = name === '' ? [] : name.split('.');
  const out = Buffer.alloc(labels.reduce((n, l) => n + l.length + 1, 1));
  let o = 0;
  for (const l of labels) {
    out[o++] = l.length;
    o += out.write(l, o, 'latin1');
  }
  out[o] = 0;
  return out;
}

/** 16 bytes of an IPv6 address, including the embedded-IPv4 form (::ffff:192.0.2.1). */
function ipv6Bytes(address: string): Buffer {
  const out = Buffer.alloc(16);
  // config validation (node:net isIPv6) ran first, so this parse cannot fail here
  parseIPv6(address, out);
  return out;
}

function dns2Fields(data: RecordData): Record<string, unknown> {
  switch (data.type) {
    case 'A':
      return { type: TYPE.A, address: data.address };
    case 'AAAA':
      return { type: TYPE.AAAA };
    case 'CNAME':
      return { type: TYPE.CNAME, domain: data.target };
    case 'NS':
      return { type: TYPE.NS, ns: data.host };
    case 'MX':
      return { type: TYPE.MX, exchange: data.exchange, priority: data.preference };
    case 'TXT': {
      const bytes = Buffer.from(data.text, 'utf8');
      const chunks: Buffer[] = [];
      for (let i = 0; i < bytes.length || chunks.length === 0; i += 255) chunks.push(bytes.subarray(i, i + 255));
      return { type: TYPE.TXT, data: chunks };
    }
    case 'CAA':
      return { type: TYPE.CAA, flags: data.flags, tag: data.tag, value: data.value };
  }
}

/** SOA rdata fields in dns2's naming. */
export interface SoaData {
  mname: string;
  rname: string;
  serial: number;
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
}

/**
 * One resource record in wire form. `owner` is either the question-name pointer (answers
 * about the queried name, which keeps the client's letter case) or an absolute name.
 */
export function encodeRecord(owner: typeof POINTER_TO_QNAME | string, ttl: number, data: RecordData | ({ type: 'SOA' } & SoaData)): Buffer {
  let rr: Buffer;
  if (data.type === 'AAAA') {
    // dns2 mis-encodes the embedded-IPv4 form; the address bytes are ours to write.
    const head = Buffer.from(Packet.Resource.encode({ name: '', type: TYPE.A, class: CLASS_IN, ttl, address: '0.0.0.0' } as never));
    rr = Buffer.concat([head.subarray(0, 1), Buffer.from([0, TYPE.AAAA]), head.subarray(3, 9), Buffer.from([0, 16]), ipv6Bytes(data.address)]);
  } else if (data.type === 'SOA') {
    const fields = { type: TYPE.SOA, primary: data.mname, admin: data.rname, serial: data.serial, refresh: data.refresh, retry: data.retry, expiration: data.expire, minimum: data.minimum };
    rr = Buffer.from(Packet.Resource.encode({ name: '', class: CLASS_IN, ttl, ...fields } as never));
  } else {
    rr = Buffer.from(Packet.Resource.encode({ name: '', class: CLASS_IN, ttl, ...dns2Fields(data) } as never));
  }
  // dns2 wrote the root name (one zero byte) as owner; put the real owner in front.
  const ownerBytes = owner === POINTER_TO_QNAME ? Buffer.from([0xc0, 0x0c]) : encodeName(owner);
  return Buffer.concat([ownerBytes, rr.subarray(1)]);
}

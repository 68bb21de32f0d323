import type { AnyRecordData, SoaFields } from '../config/records.js';
import { canonicalLabels } from '../config/names.js';
import { encodeRdata } from '../config/rdata/rdata.js';
import { RECORD_TYPE_CODES, typeCode } from '../config/rdata/type-codes.js';
import type { SteeredHints } from '../config/rdata/svc-params.js';

// Wire-format constants and the control-plane encoders that turn records into bytes once
// per snapshot; the hot path only copies these bytes.

export const TYPE = { ...RECORD_TYPE_CODES, OPT: 41, TSIG: 250, ANY: 255, AXFR: 252, IXFR: 251 } as const;
export const CLASS_IN = 1;
/** CHAOS (RFC 1035 3.2.4): only id.server, hostname.bind and version.bind are answered. */
export const CLASS_CH = 3;
export const CLASS_ANY = 255;
/** BADVERS and BADCOOKIE are extended rcodes: the high 8 bits go in the OPT record (RFC 6891 6.1.3). */
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5, NOTAUTH: 9, BADVERS: 16, BADCOOKIE: 23 } as const;
/** EDNS option codes: NSID (RFC 5001), ECS (RFC 7871), COOKIE (RFC 7873). */
export const OPT_NSID = 3;
export const OPT_ECS = 8;
export const OPT_COOKIE = 10;
export const HEADER_SIZE = 12;
/** Compression pointer to the question name, which always starts right after the header. */
export const POINTER_TO_QNAME = 0xc00c;

/** A canonical domain name (see config/names.ts) in uncompressed wire form. */
export function encodeName(name: string): Buffer {
  if (name.includes('\\')) {
    // \DDD escapes: one octet each
    const labels = canonicalLabels(name);
    const out = Buffer.alloc(labels.reduce((n, l) => n + l.length + 1, 1));
    let o = 0;
    for (const l of labels) {
      out[o++] = l.length;
      for (const b of l) out[o++] = b;
    }
    return out;
  }
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

/** SOA rdata fields. */
export type SoaData = SoaFields;

/**
 * One resource record in wire form. `owner` is either the question-name pointer (answers
 * about the queried name, which keeps the client's letter case) or an absolute name.
 * `steered` fills SVCB/HTTPS ipv4hint=steered / ipv6hint=steered (left out without it).
 */
export function encodeRecord(owner: typeof POINTER_TO_QNAME | string, ttl: number, data: AnyRecordData, steered?: SteeredHints): Buffer {
  const rdata = encodeRdata(data, steered);
  const ownerBytes = owner === POINTER_TO_QNAME ? Buffer.from([0xc0, 0x0c]) : encodeName(owner);
  const head = Buffer.alloc(10);
  head.writeUInt16BE(typeCode(data), 0);
  head.writeUInt16BE(CLASS_IN, 2);
  head.writeUInt32BE(ttl, 4);
  head.writeUInt16BE(rdata.length, 8);
  return Buffer.concat([ownerBytes, head, rdata]);
}

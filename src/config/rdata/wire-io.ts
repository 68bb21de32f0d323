import { isIPv4 } from 'node:net';
import { parseIPv6 } from '../../shared/ip-address.js';
import { canonicalLabels, labelText } from '../names.js';

// Byte-level helpers for rdata: a writer that collects octets and a bounds-checked reader.
// Names are written uncompressed (RFC 3597 4 forbids compression in new types; the answer
// writer may compress the well-known ones later).

/** Collects the octets of one rdata. */
export class RdataWriter {
  private readonly parts: Uint8Array[] = [];
  private size = 0;

  private push(bytes: Uint8Array): this {
    this.parts.push(bytes);
    this.size += bytes.length;
    return this;
  }

  u8(n: number): this {
    return this.push(Uint8Array.of(n));
  }

  u16(n: number): this {
    return this.push(Uint8Array.of(n >> 8, n & 0xff));
  }

  u32(n: number): this {
    return this.push(Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff));
  }

  bytes(b: Uint8Array): this {
    return this.push(b);
  }

  /** A character-string: length octet then the octets (RFC 1035 3.3). */
  charString(b: Uint8Array): this {
    return this.u8(b.length).bytes(b);
  }

  /** A canonical name in uncompressed wire form. */
  name(name: string): this {
    for (const label of canonicalLabels(name)) this.u8(label.length).bytes(Uint8Array.from(label));
    return this.u8(0);
  }

  ipv4(address: string): this {
    return this.bytes(Uint8Array.from(address.split('.').map(Number)));
  }

  ipv6(address: string): this {
    const out = Buffer.alloc(16);
    // validated with node:net isIPv6 before it got here
    parseIPv6(address, out);
    return this.bytes(out);
  }

  /** Octets written so far. */
  get length(): number {
    return this.size;
  }

  finish(): Buffer {
    return Buffer.concat(this.parts, this.size);
  }
}

/** Thrown by RdataReader on malformed input; the message says what is wrong. */
export class RdataDecodeError extends Error {}

/** Reads one rdata; every read is bounds-checked. */
export class RdataReader {
  private offset = 0;

  constructor(private readonly input: Buffer) {}

  private take(n: number, what: string): Buffer {
    if (this.offset + n > this.input.length) throw new RdataDecodeError(`rdata ends inside ${what}`);
    const out = this.input.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  u8(what: string): number {
    return this.take(1, what)[0];
  }

  u16(what: string): number {
    return this.take(2, what).readUInt16BE(0);
  }

  u32(what: string): number {
    return this.take(4, what).readUInt32BE(0);
  }

  bytes(n: number, what: string): Buffer {
    return Buffer.from(this.take(n, what));
  }

  charString(what: string): Buffer {
    return this.bytes(this.u8(what), what);
  }

  /** An uncompressed name, in canonical form. */
  name(what: string): string {
    const labels: string[] = [];
    let size = 1;
    for (;;) {
      const len = this.u8(what);
      if (len === 0) break;
      if (len > 63) throw new RdataDecodeError(`${what} has a compressed or invalid label (length octet ${len})`);
      size += len + 1;
      if (size > 255) throw new RdataDecodeError(`${what} is longer than 255 octets`);
      labels.push(labelText([...this.take(len, what)]));
    }
    return labels.join('.');
  }

  ipv4(what: string): string {
    const address = [...this.take(4, what)].join('.');
    if (!isIPv4(address)) throw new RdataDecodeError(`${what} is not an IPv4 address`);
    return address;
  }

  ipv6(what: string): string {
    return ipv6Text(this.take(16, what));
  }

  rest(): Buffer {
    return this.bytes(this.input.length - this.offset, 'the rest');
  }

  get remaining(): number {
    return this.input.length - this.offset;
  }

  /** Throws when octets are left over after the last field. */
  end(what: string): void {
    if (this.remaining !== 0) throw new RdataDecodeError(`${this.remaining} octet(s) left over after the ${what} fields`);
  }
}

/** RFC 5952 text of an IPv6 address: lower-case hex, the longest zero run as "::", IPv4-mapped as ::ffff:a.b.c.d (5952 5). */
export function ipv6Text(b: Uint8Array): string {
  if (b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff) return `::ffff:${b.subarray(12).join('.')}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((b[i] << 8) | b[i + 1]).toString(16));
  return compressGroups(groups);
}

/** The canonical (RFC 5952) text of an IPv6 address node:net accepted. */
export function canonicalIPv6(address: string): string {
  const out = Buffer.alloc(16);
  parseIPv6(address, out);
  return ipv6Text(out);
}

function compressGroups(groups: string[]): string {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

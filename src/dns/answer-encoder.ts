import { canonicalLabels } from '../config/names.js';
import type { AnyRecordData } from '../config/records.js';
import { encodeRdata } from '../config/rdata/rdata.js';
import type { SteeredHints } from '../config/rdata/svc-params.js';
import { typeCode } from '../config/rdata/type-codes.js';
import { prebuilt, type ChainPrefix, type PrebuiltAnswer } from './prebuilt.js';
import { CLASS_IN, HEADER_SIZE } from './wire.js';

// Encodes answers once per snapshot with name compression (RFC 1035 4.1.4): owner names and
// the names inside NS, CNAME, SOA, PTR and MX rdata point at earlier occurrences of the same
// labels. Names inside other types are written in full (RFC 2782 for SRV, RFC 3597 4 for
// types defined later); SRV, SVCB and HTTPS targets may still be pointed at. An answer is built before the question is seen: for one name the
// offsets are known and written now; for an answer shared by many names (negative answers,
// referrals, wildcards, steered answers) the pointers into the question are late-bound
// (PrebuiltAnswer.fixups) and the writer fills them in per query.

/** The owner that stands for the question name, written as a pointer to it. */
export const QNAME: unique symbol = Symbol('the question name');

/** One record of an answer to encode. */
export interface RecordSpec {
  readonly owner: string | typeof QNAME;
  readonly ttl: number;
  readonly data: AnyRecordData;
  /** Addresses for SVCB/HTTPS ipv4hint=steered / ipv6hint=steered. */
  readonly hints?: SteeredHints;
}

/** The sections of one answer, before encoding. */
export interface AnswerSpec {
  readonly rcode: number;
  readonly aa: boolean;
  readonly answer: readonly RecordSpec[];
  readonly authority?: readonly RecordSpec[];
  readonly additional?: readonly RecordSpec[];
}

/** Which question names an answer follows: exactly one, or any name ending in `endsWith` (an answer shared by many). */
export type QuestionShape = { readonly exact: string } | { readonly endsWith: string };

// An earlier occurrence of a name: an offset in the message, `tail` octets before the end of
// the anchor name, or an offset inside the sections being encoded.
type NameRef = { readonly abs: number } | { readonly tail: number } | { readonly body: number };

const NO_BYTES = Buffer.alloc(0);
/** Pointers hold 14 bits (RFC 1035 4.1.4). */
const POINTER_LIMIT = 0x4000;
/** Names further into shared sections are not pointed at: the question and a chain prefix (at most a few KiB) come before them. */
const SHARED_REF_LIMIT = 8192;

class SectionEncoder {
  private readonly out: number[] = [];
  private readonly fixups: number[] = [];
  private readonly owners: number[] = [];
  /** Known when the answer follows one question name. */
  private readonly questionEnd: number | undefined;
  /** Names written so far, the question's first; filled on the first name (most answers have none but the owner pointer). */
  private known: Map<string, NameRef> | undefined;

  constructor(private readonly shape: QuestionShape) {
    this.questionEnd = 'exact' in shape ? HEADER_SIZE + nameLength(shape.exact) + 4 : undefined;
  }

  private get names(): Map<string, NameRef> {
    if (this.known !== undefined) return this.known;
    const names = new Map<string, NameRef>();
    const shape = this.shape;
    if ('exact' in shape) {
      let at = HEADER_SIZE;
      forEachSuffix(shape.exact, (suffix, octets) => {
        names.set(suffix, { abs: at });
        at += octets + 1;
      });
    } else {
      let tail = nameLength(shape.endsWith);
      forEachSuffix(shape.endsWith, (suffix, octets) => {
        names.set(suffix, { tail });
        tail -= octets + 1;
      });
    }
    this.known = names;
    return names;
  }

  get length(): number {
    return this.out.length;
  }

  u16(n: number): void {
    this.out.push(n >>> 8, n & 0xff);
  }

  u32(n: number): void {
    this.out.push(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
  }

  /** A name, compressed against earlier ones when `compress`; its labels become pointer targets when `remember`. */
  name(name: string, compress: boolean, remember: boolean): void {
    if (name === '') {
      this.out.push(0);
      return;
    }
    const texts = name.split('.');
    const labels = canonicalLabels(name);
    for (let i = 0; i < texts.length; i++) {
      const suffix = i === 0 ? name : texts.slice(i).join('.');
      const ref = compress ? this.names.get(suffix) : undefined;
      if (ref !== undefined) return this.pointer(ref);
      if (remember && !this.names.has(suffix)) this.remember(suffix);
      this.out.push(labels[i].length, ...labels[i]);
    }
    this.out.push(0);
  }

  record(spec: RecordSpec, anchor = false): void {
    if (spec.owner === QNAME) {
      this.owners.push(this.out.length);
      this.out.push(0xc0, HEADER_SIZE);
    } else {
      this.name(spec.owner, true, true);
    }
    this.u16(typeCode(spec.data));
    this.u16(CLASS_IN);
    this.u32(spec.ttl);
    const lengthAt = this.out.length;
    this.u16(0);
    const start = this.out.length;
    const d = spec.data;
    if (anchor && d.type === 'CNAME') this.name(d.target, false, false);
    else if (d.type === 'NS') this.name(d.host, true, true);
    else if (d.type === 'CNAME' || d.type === 'PTR') this.name(d.target, true, true);
    else if (d.type === 'MX') {
      this.u16(d.preference);
      this.name(d.exchange, true, true);
    } else if (d.type === 'SOA') {
      this.name(d.mname, true, true);
      this.name(d.rname, true, true);
      for (const n of [d.serial, d.refresh, d.retry, d.expire, d.minimum]) this.u32(n);
    } else if (d.type === 'SRV') {
      // never compressed (RFC 2782), but later names may point at it, as Knot's do
      for (const n of [d.priority, d.weight, d.port]) this.u16(n);
      this.name(d.target, false, true);
    } else {
      const raw = encodeRdata(d, spec.hints);
      if (d.type !== 'SVCB' && d.type !== 'HTTPS') for (const b of raw) this.out.push(b);
      else {
        // SvcPriority, then TargetName uncompressed (RFC 9460 2.2), a pointer target for later names
        this.u16(d.priority);
        this.name(d.target, false, true);
        for (const b of raw.subarray(2 + nameLength(d.target))) this.out.push(b);
      }
    }
    const rdlength = this.out.length - start;
    this.out[lengthAt] = rdlength >>> 8;
    this.out[lengthAt + 1] = rdlength & 0xff;
  }

  private remember(suffix: string): void {
    const at = this.out.length;
    if (this.questionEnd !== undefined) {
      if (this.questionEnd + at < POINTER_LIMIT) this.names.set(suffix, { abs: this.questionEnd + at });
    } else if (at < SHARED_REF_LIMIT) {
      this.names.set(suffix, { body: at });
    }
  }

  private pointer(ref: NameRef): void {
    const at = this.out.length;
    if ('abs' in ref) {
      this.out.push(0xc0 | (ref.abs >>> 8), ref.abs & 0xff);
      return;
    }
    this.out.push(0xc0, 0);
    this.fixups.push(at, 'tail' in ref ? -ref.tail : ref.body);
  }

  bytes(from: number, to = this.out.length): Buffer {
    return from === to ? NO_BYTES : Buffer.from(this.out.slice(from, to));
  }

  pointers(): { fixups: Int32Array<ArrayBuffer>; ownerAt: Int32Array<ArrayBuffer> } {
    return { fixups: Int32Array.from(this.fixups), ownerAt: Int32Array.from(this.questionEnd === undefined ? this.owners : []) };
  }
}

/** Calls `visit` for each suffix of a canonical name, longest first, with the octets of its first label. */
function forEachSuffix(name: string, visit: (suffix: string, octets: number) => void): void {
  if (name === '') return;
  const texts = name.split('.');
  const labels = canonicalLabels(name);
  for (let i = 0; i < texts.length; i++) visit(texts.slice(i).join('.'), labels[i].length);
}

/** Octets of a canonical name in wire form. */
export function nameLength(name: string): number {
  return canonicalLabels(name).reduce((n, l) => n + l.length + 1, 1);
}

/** Encodes one answer for questions of `shape`. */
export function encodeAnswer(spec: AnswerSpec, shape: QuestionShape): PrebuiltAnswer {
  const e = new SectionEncoder(shape);
  for (const r of spec.answer) e.record(r);
  const authorityAt = e.length;
  for (const r of spec.authority ?? []) e.record(r);
  const additionalAt = e.length;
  for (const r of spec.additional ?? []) e.record(r);
  const { fixups, ownerAt } = e.pointers();
  return prebuilt(
    spec.rcode,
    spec.aa,
    { bytes: e.bytes(0, authorityAt), count: spec.answer.length },
    { bytes: e.bytes(authorityAt, additionalAt), count: spec.authority?.length ?? 0 },
    { bytes: e.bytes(additionalAt), count: spec.additional?.length ?? 0 },
    fixups,
    ownerAt,
  );
}

/** Encodes a chain of CNAME records whose last target becomes the anchor of the answer written after it. */
export function encodeChainPrefix(records: readonly RecordSpec[], shape: QuestionShape): ChainPrefix {
  const e = new SectionEncoder(shape);
  records.forEach((r, i) => e.record(r, i === records.length - 1));
  const last = records[records.length - 1].data;
  if (last.type !== 'CNAME') throw new Error('a chain prefix ends with a CNAME');
  const anchorLength = nameLength(last.target);
  return { records: e.bytes(0), count: records.length, fixups: e.pointers().fixups, anchorAt: e.length - anchorLength, anchorLength };
}

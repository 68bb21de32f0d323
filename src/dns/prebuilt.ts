import { encodeRecord, POINTER_TO_QNAME, RCODE } from './wire.js';
import type { AnyRecordData } from '../config/records.js';
import type { ZoneModel } from '../config/model.js';

/** The sections of a response, encoded once per snapshot; the hot path copies them after the question. */
export interface PrebuiltAnswer {
  readonly rcode: number;
  /** Authoritative answer bit: off only for referrals. */
  readonly aa: boolean;
  readonly answer: Buffer;
  readonly ancount: number;
  readonly authority: Buffer;
  readonly nscount: number;
  readonly additional: Buffer;
  readonly arcount: number;
}

/** A list of encoded records and how many there are. */
export interface RecordSection {
  readonly bytes: Buffer;
  readonly count: number;
}

export const EMPTY_SECTION: RecordSection = { bytes: Buffer.alloc(0), count: 0 };

/** Joins sections into one. */
export function joinSections(...sections: RecordSection[]): RecordSection {
  return { bytes: Buffer.concat(sections.map((s) => s.bytes)), count: sections.reduce((n, s) => n + s.count, 0) };
}

/** Records owned by the queried name (owner written as a pointer to the question). */
export function qnameRecords(ttl: number, data: readonly AnyRecordData[]): RecordSection {
  return { bytes: Buffer.concat(data.map((d) => encodeRecord(POINTER_TO_QNAME, ttl, d))), count: data.length };
}

/** Records with an explicit owner name. */
export function namedRecords(records: readonly { name: string; ttl: number; data: AnyRecordData }[]): RecordSection {
  return { bytes: Buffer.concat(records.map((r) => encodeRecord(r.name, r.ttl, r.data))), count: records.length };
}

/** Assembles a prebuilt answer. */
export function prebuilt(rcode: number, aa: boolean, answer: RecordSection, authority = EMPTY_SECTION, additional = EMPTY_SECTION): PrebuiltAnswer {
  return {
    rcode,
    aa,
    answer: answer.bytes,
    ancount: answer.count,
    authority: authority.bytes,
    nscount: authority.count,
    additional: additional.bytes,
    arcount: additional.count,
  };
}

/** The zone's SOA as an authority-section record for negative answers. */
export function negativeSoa(zone: ZoneModel): RecordSection {
  // RFC 2308 3: the SOA's TTL in a negative answer is min(SOA TTL, SOA MINIMUM).
  const ttl = Math.min(zone.ttl, zone.soa.minimum);
  return { bytes: encodeRecord(zone.name, ttl, { type: 'SOA', ...zone.soa }), count: 1 };
}

/** NODATA and NXDOMAIN answers of a zone. */
export function negativeAnswers(zone: ZoneModel): { nodata: PrebuiltAnswer; nxdomain: PrebuiltAnswer } {
  const soa = negativeSoa(zone);
  return { nodata: prebuilt(RCODE.NOERROR, true, EMPTY_SECTION, soa), nxdomain: prebuilt(RCODE.NXDOMAIN, true, EMPTY_SECTION, soa) };
}

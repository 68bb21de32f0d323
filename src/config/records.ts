import { parseName, type NameResult } from './names.js';
import type { AnyRecordData, RecordData } from './rdata/record-data.js';
import { encodeRdata, parseRdata } from './rdata/rdata.js';
import { splitCharStrings } from './rdata/text-types.js';
import { parseTypeRef } from './rdata/type-codes.js';
import { tokenizeValue } from './zone-file/tokenizer.js';

export type { AnyRecordData, RecordData, RecordType, SoaFields, SvcParam, UnknownData } from './rdata/record-data.js';

/** A static record with an absolute owner name, ready to be compiled to wire form (RFC 3597 types: StaticRecord<UnknownData>). */
export interface StaticRecord<D extends AnyRecordData = RecordData> {
  readonly name: string;
  readonly ttl: number;
  readonly data: D;
  /** Where it was defined ("zones[0].records[3]" or "zones/example.com.zone:12"), for messages. */
  readonly source?: string;
}

/** The canonical owner name of a YAML record name: relative to `zone` unless it ends with a dot, "@" for the apex. */
export function ownerName(name: string, zone: string): NameResult {
  return parseName(name.trim(), { origin: zone, relative: 'origin', wildcard: true });
}

/**
 * Parses one YAML rdata value of `type` in presentation form (the rdata part of a zone-file
 * line). Names in it are absolute whether or not they end with a dot, "@" is the zone apex.
 * A TXT value that does not start with a double quote is one text, split into 255-octet
 * character-strings, so "v=spf1 mx -all" stays one string as it always did.
 */
export function parseRecordData(type: string, value: string, zone: string): AnyRecordData | string {
  const text = value.trim();
  let data: AnyRecordData | string;
  if (type === 'TXT' && !text.startsWith('"') && !text.startsWith('\\#')) {
    data = { type, strings: splitCharStrings(Buffer.from(value, 'utf8')) };
  } else {
    const tokens = tokenizeValue(text);
    const ref = parseTypeRef(type);
    if (typeof tokens === 'string') return tokens;
    if (typeof ref === 'string') return ref;
    data = parseRdata(ref, tokens, { origin: zone, relative: 'absolute', wildcard: false });
  }
  if (typeof data === 'string') return data;
  const size = encodeRdata(data).length;
  return size > 65535 ? `the record data is ${size} octets; rdata has at most 65535` : data;
}

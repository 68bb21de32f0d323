import type { NameContext } from '../names.js';
import { tokenizeValue, type Token } from '../zone-file/tokenizer.js';
import { FieldError, type RdataCodec } from './codec.js';
import { DS } from './ds.js';
import { parseHex, parseUint } from './fields.js';
import { A, AAAA, CNAME, MX, NS, PTR, SOA, SRV } from './host-types.js';
import type { AnyRecordData } from './record-data.js';
import type { SteeredHints } from './svc-params.js';
import { encodeSvcb, HTTPS, SVCB } from './svcb.js';
import { CAA, NAPTR, TXT } from './text-types.js';
import { typeCode, typeName, type NamedType, type TypeRef } from './type-codes.js';
import { RdataDecodeError, RdataReader, RdataWriter } from './wire-io.js';

// The one table of record types: presentation in (including the RFC 3597 \# form for every
// type), canonical presentation out, wire out and back.

const CODECS: { readonly [T in NamedType]: RdataCodec<T> } = { A, AAAA, CNAME, NS, PTR, MX, TXT, CAA, SRV, NAPTR, SVCB, HTTPS, DS, SOA };

function codecOf(type: NamedType): RdataCodec<NamedType> {
  return CODECS[type] as unknown as RdataCodec<NamedType>;
}

/** RFC 3597 5: `\# LENGTH HEX...`, the length in octets and the octets in hex. */
function genericRdata(tokens: readonly Token[]): Buffer {
  const length = tokens[1] === undefined ? 'nothing' : parseUint(tokens[1].text, 65535, 'the \\# rdata length');
  if (typeof length === 'string') throw new FieldError(`expected "\\# LENGTH HEX" (RFC 3597 5), got ${length}`);
  const bytes = parseHex(tokens.slice(2), 'the \\# rdata');
  if (typeof bytes === 'string') throw new FieldError(bytes);
  if (bytes.length !== length) throw new FieldError(`\\# says ${length} octets but the hex has ${bytes.length}`);
  return bytes;
}

/**
 * Parses rdata tokens of a type into typed data, or says what is wrong. Names are read
 * with `names` (zone files: relative to $ORIGIN; YAML: absolute).
 */
export function parseRdata(type: TypeRef, tokens: readonly Token[], names: NameContext): AnyRecordData | string {
  try {
    const generic = tokens[0] !== undefined && !tokens[0].quoted && tokens[0].text === '\\#';
    if (!generic) {
      if (type.named === undefined) return `${typeName(type.code)} has no presentation syntax here; write it as ${typeName(type.code)} \\# LENGTH HEX (RFC 3597 5)`;
      return codecOf(type.named).parse(tokens, names);
    }
    const bytes = genericRdata(tokens);
    if (type.named === undefined) return { type: 'UNKNOWN', code: type.code, rdata: bytes };
    const data = decodeRdata(type.code, bytes);
    // the checks of the presentation form (host names, SvcParam rules) apply to \# data too
    const again = tokenizeValue(presentRdata(data));
    if (typeof again !== 'string') codecOf(type.named).parse(again, { relative: 'absolute', wildcard: false });
    return data;
  } catch (err) {
    if (err instanceof FieldError || err instanceof RdataDecodeError) return err.message;
    throw err;
  }
}

/** Canonical presentation form of the rdata (names absolute, strings quoted, unknown types as \#). */
export function presentRdata(data: AnyRecordData): string {
  if (data.type === 'UNKNOWN') return data.rdata.length === 0 ? '\\# 0' : `\\# ${data.rdata.length} ${data.rdata.toString('hex').toUpperCase()}`;
  return codecOf(data.type).present(data);
}

/** `TYPE rdata` as a zone file would have it, for messages and logs. */
export function presentRecord(data: AnyRecordData): string {
  return `${typeName(typeCode(data))} ${presentRdata(data)}`;
}

/** Wire form of the rdata (RFC 1035 3.3, names uncompressed). `steered` fills SVCB/HTTPS hints marked steered. */
export function encodeRdata(data: AnyRecordData, steered?: SteeredHints): Buffer {
  if (data.type === 'UNKNOWN') return data.rdata;
  const w = new RdataWriter();
  if (data.type === 'SVCB' || data.type === 'HTTPS') encodeSvcb(data, w, steered);
  else codecOf(data.type).encode(data, w);
  if (w.length > 65535) throw new FieldError(`${data.type} rdata of ${w.length} octets; rdata has at most 65535`);
  return w.finish();
}

/** Typed data of wire rdata of type `code`; throws RdataDecodeError when it is malformed. */
export function decodeRdata(code: number, rdata: Buffer): AnyRecordData {
  const named = typeName(code) as NamedType;
  if (!(named in CODECS)) return { type: 'UNKNOWN', code, rdata: Buffer.from(rdata) };
  const r = new RdataReader(rdata);
  const data = codecOf(named).decode(r);
  r.end(named);
  return data;
}

/** Presentation form of one rdata parsed back, for round-trip checks: the same as parseRdata on a YAML value. */
export function parseRdataText(type: TypeRef, text: string, names: NameContext): AnyRecordData | string {
  const tokens = tokenizeValue(text);
  return typeof tokens === 'string' ? tokens : parseRdata(type, tokens, names);
}

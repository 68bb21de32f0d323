/**
 * GeoLookup backed by a MaxMind DB file, read with the maxmind package's Reader. Understands
 * MaxMind's official GeoIP2/GeoLite2 Country and City schema and the ip-location-db
 * `{country_code}` schema that the bundled database uses.
 */
import { open } from 'node:fs/promises';
import { Reader } from 'maxmind';
import { GeosteerError } from '../shared/errors.js';
import { continentOf } from './country-continent.js';
import { fileSignatureOf, type FileSignature } from '../shared/file-signature.js';
import { GeoPlace, PlaceInterner, unknownLocation } from './geo-location.js';
import type { GeoDatabaseInfo, GeoLocation, GeoLookup, Place } from './geo-lookup.js';
import { formatIPv4, formatIPv6, isIPv4Mapped, parseIPv4, parseIPv6, readUint32 } from '../shared/ip-address.js';
import { sampleNetworks, SearchTree } from './mmdb-tree.js';

type Schema = GeoDatabaseInfo['schema'];
type MmdbRecord = Record<string, unknown>;

const METADATA_MARKER = Buffer.from('\xAB\xCD\xEFMaxMind.com', 'latin1');
const DATA_SEPARATOR_SIZE = 16;
function isObject(value: unknown): value is MmdbRecord {
  return typeof value === 'object' && value !== null;
}

function stringAt(record: unknown, key: string): string | undefined {
  if (!isObject(record)) return undefined;
  const value = record[key];
  return typeof value === 'string' ? value : undefined;
}

function schemaOf(record: unknown): Schema | undefined {
  if (!isObject(record)) return undefined;
  if (typeof record.country_code === 'string') return 'country_code';
  if (isObject(record.country) || isObject(record.registered_country) || isObject(record.continent)) return 'official';
  return undefined;
}

function placeFields(schema: Schema, record: unknown): [string | undefined, string | undefined] {
  if (schema === 'country_code') {
    const country = stringAt(record, 'country_code');
    return [country, country === undefined ? undefined : continentOf(country)];
  }
  if (!isObject(record)) return [undefined, undefined];
  // registered_country covers records MaxMind leaves without a country (anycast, satellite)
  const country = stringAt(record.country, 'iso_code') ?? stringAt(record.registered_country, 'iso_code');
  const continent = stringAt(record.continent, 'code') ?? (country === undefined ? undefined : continentOf(country));
  return [country, continent];
}

function invalid(path: string, problem: string, cause?: unknown): GeosteerError {
  return new GeosteerError('GEOIP_UNAVAILABLE', `${path}: ${problem}`, { cause });
}

/** Places remembered by data pointer; a Country database has a few hundred, a City one millions. */
const PLACE_CACHE_MAX = 65_536;

/** A loaded, validated MaxMind DB. Lookups are synchronous and never do I/O. */
export class MmdbGeoDatabase implements GeoLookup {
  private readonly places = new PlaceInterner();
  // The query path walks the tree itself (no address strings) and decodes a record through
  // the reader only the first time its data pointer is seen.
  private readonly placeByPointer = new Map<number, GeoPlace>();
  private readonly tree: SearchTree;
  private readonly scratch = new Uint8Array(16);

  /** Use openGeoDatabase or geoDatabaseFromBuffer, which validate first. */
  constructor(
    private readonly reader: Reader<MmdbRecord>,
    /** The validated bytes (the primary hands exactly these to its DNS workers). */
    readonly bytes: Buffer,
    readonly info: GeoDatabaseInfo,
    /** stat identity of the file the bytes came from, so a watcher can tell a later replacement. */
    readonly source?: FileSignature,
  ) {
    this.tree = new SearchTree(bytes, reader.metadata);
  }

  lookup(ip: string): GeoLocation {
    const v4 = parseIPv4(ip);
    if (v4 >= 0) return this.lookupV4(v4);
    const bytes = this.scratch;
    if (!parseIPv6(ip, bytes, 0)) return unknownLocation(0);
    return this.lookupV6(bytes, 0);
  }

  lookupV4(addr: number): GeoLocation {
    const record = this.tree.findV4(addr);
    const prefixLength = this.tree.depth;
    if (!this.tree.hasData(record)) return unknownLocation(prefixLength);
    const place = this.placeByPointer.get(record) ?? this.decodePlace(record, formatIPv4(addr));
    return place === undefined ? unknownLocation(0) : place.at(prefixLength);
  }

  lookupV6(bytes: Uint8Array, offset: number): GeoLocation {
    // ::ffff:a.b.c.d is an IPv4 client on a dual-stack socket: answer in IPv4 bits
    if (isIPv4Mapped(bytes, offset)) return this.lookupV4(readUint32(bytes, offset + 12));
    if (this.reader.metadata.ipVersion === 4) return unknownLocation(0);
    const record = this.tree.findV6(bytes, offset);
    const prefixLength = this.tree.depth;
    if (!this.tree.hasData(record)) return unknownLocation(prefixLength);
    const place = this.placeByPointer.get(record) ?? this.decodePlace(record, formatIPv6(bytes, offset));
    return place === undefined ? unknownLocation(0) : place.at(prefixLength);
  }

  placesWithin(family: 4 | 6, bytes: Uint8Array, offset: number, prefix: number, limit: number): readonly Place[] | undefined {
    const v4 = family === 4;
    if (!v4 && this.reader.metadata.ipVersion === 4) return [this.places.get(undefined, undefined)];
    const bits = bytes.slice(offset, offset + (v4 ? 4 : 16));
    const found = new Set<GeoPlace>();
    // a few thousand nodes: a /16 of one country split into hundreds of networks still fits
    const complete = this.tree.walkNetwork(bits, prefix, v4, 4096, (record, address) => {
      const place = !this.tree.hasData(record)
        ? this.places.get(undefined, undefined)
        : (this.placeByPointer.get(record) ?? this.decodePlace(record, v4 ? formatIPv4(readUint32(address, 0)) : formatIPv6(address, 0)) ?? this.places.get(undefined, undefined));
      found.add(place);
      return found.size <= limit;
    });
    return complete ? [...found] : undefined;
  }

  /** Decodes the record behind `pointer` through the reader, by an address that leads to it. */
  private decodePlace(pointer: number, address: string): GeoPlace | undefined {
    let record: MmdbRecord | null;
    try {
      record = this.reader.get(address);
    } catch {
      // a record the decoder cannot read: answer "unknown" rather than fail the query
      return undefined;
    }
    const [country, continent] = placeFields(this.info.schema, record);
    const place = this.places.get(country, continent);
    if (this.placeByPointer.size >= PLACE_CACHE_MAX) this.placeByPointer.clear();
    this.placeByPointer.set(pointer, place);
    return place;
  }
}

/** Validates an in-memory mmdb and wraps it; `path` is only used in messages and info. */
export function geoDatabaseFromBuffer(buf: Buffer, path: string, source?: FileSignature): MmdbGeoDatabase {
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    throw invalid(path, 'gzip-compressed; decompress it first (geoipupdate writes plain .mmdb files)');
  }
  const markerAt = buf.lastIndexOf(METADATA_MARKER);
  if (markerAt === -1) {
    throw invalid(path, 'not a MaxMind DB (metadata marker not found); geoip.database must name a .mmdb file such as GeoLite2-Country.mmdb');
  }
  let reader: Reader<MmdbRecord>;
  try {
    // no decoder cache: MmdbGeoDatabase decodes a record once per data pointer and keeps its place
    reader = new Reader<MmdbRecord>(buf);
  } catch (error) {
    throw invalid(path, `corrupt MaxMind DB metadata (${(error as Error).message}); replace the file`, error);
  }
  const m = reader.metadata;
  if (m.binaryFormatMajorVersion !== 2) {
    throw invalid(path, `unsupported MaxMind DB format version ${m.binaryFormatMajorVersion} (expected 2)`);
  }
  if (m.ipVersion !== 4 && m.ipVersion !== 6) throw invalid(path, `corrupt metadata: ip_version ${m.ipVersion}`);
  if (!Number.isInteger(m.nodeCount) || m.nodeCount < 1) throw invalid(path, `corrupt metadata: node_count ${m.nodeCount}`);
  const dataSectionSize = markerAt - m.searchTreeSize - DATA_SEPARATOR_SIZE;
  if (dataSectionSize <= 0) {
    throw invalid(path, `truncated or corrupt: a search tree of ${m.searchTreeSize} bytes does not fit in ${markerAt} bytes; replace the file`);
  }

  let records: unknown[];
  try {
    const samples = sampleNetworks(buf, { nodeCount: m.nodeCount, recordSize: m.recordSize, ipVersion: m.ipVersion, dataSectionSize });
    records = samples.map((sample) => reader.getWithPrefixLength(sample.address)[0]);
  } catch (error) {
    throw invalid(path, `corrupt MaxMind DB (${(error as Error).message}); replace the file`, error);
  }
  if (records.length === 0) throw invalid(path, 'no network in the database carries data; replace the file');
  const schema = records.map(schemaOf).find((s) => s !== undefined);
  if (schema === undefined) {
    const keys = isObject(records[0]) ? Object.keys(records[0]).join(', ') : typeof records[0];
    throw invalid(
      path,
      `unsupported record schema (database_type "${m.databaseType}", record keys: ${keys}); ` +
        'use a GeoIP2/GeoLite2 Country or City database, or an ip-location-db country database',
    );
  }

  const info: GeoDatabaseInfo = Object.freeze({
    path,
    databaseType: String(m.databaseType),
    buildEpochSeconds: Math.floor(m.buildEpoch.getTime() / 1000),
    schema,
  });
  return new MmdbGeoDatabase(reader, buf, info, source);
}

/** Reads, validates and opens a MaxMind DB file; rejects with an error naming the path and the problem. */
export async function openGeoDatabase(path: string): Promise<MmdbGeoDatabase> {
  let buf: Buffer;
  let source: FileSignature;
  try {
    // stat and read through one handle, so the signature describes exactly these bytes
    const handle = await open(path, 'r');
    try {
      source = fileSignatureOf(await handle.stat());
      buf = await handle.readFile();
    } finally {
      await handle.close();
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw invalid(path, `cannot read the GeoIP database (${code}); check geoip.database, or run geoipupdate`, error);
  }
  return geoDatabaseFromBuffer(buf, path, source);
}

import type { DnsIdentity } from '../config/dns-identity.js';
import type { DnsConfig } from '../config/schema.js';
import { nameKey } from './answer-table.js';
import { prebuilt, type PrebuiltAnswer } from './prebuilt.js';
import { ServerCookies } from './server-cookies.js';
import { CLASS_CH, RCODE, TYPE } from './wire.js';

/** What a query reads about this server itself: compiled with each snapshot from dns.* and the resolved identity. */
export interface ServerIdentity {
  /** NSID payload (RFC 5001), or undefined when dns.nsid is off. */
  readonly nsid: Uint8Array | undefined;
  /** CHAOS TXT answers by name key: id.server and hostname.bind (the NSID), version.bind (dns.version). */
  readonly chaos: ReadonlyMap<string, PrebuiltAnswer>;
  /** Undefined when cookies are off (or no identity was resolved: check-config, explain). */
  readonly cookies: ServerCookies | undefined;
  /** dns.cookies.require: BADCOOKIE to UDP queries without a valid server cookie (RFC 7873 5.2.3 choice 2). */
  readonly requireCookies: boolean;
}

/** One TXT record in class CH, owned by the question name, TTL 0 (as BIND and Knot answer), one character-string. */
function chaosTxt(text: Uint8Array): PrebuiltAnswer {
  const data = text.subarray(0, 255);
  const rr = Buffer.alloc(12 + 1 + data.length);
  rr.writeUInt16BE(0xc00c, 0);
  rr.writeUInt16BE(TYPE.TXT, 2);
  rr.writeUInt16BE(CLASS_CH, 4);
  rr.writeUInt32BE(0, 6);
  rr.writeUInt16BE(1 + data.length, 10);
  rr[12] = data.length;
  rr.set(data, 13);
  return prebuilt(RCODE.NOERROR, true, { bytes: rr, count: 1 });
}

/** The identity part of a snapshot's serving state. */
export function compileServerIdentity(dns: DnsConfig, identity: DnsIdentity | undefined): ServerIdentity {
  const chaos = new Map<string, PrebuiltAnswer>();
  const nsid = identity?.nsid;
  if (nsid !== undefined) {
    const answer = chaosTxt(nsid);
    chaos.set(nameKey('id.server'), answer);
    chaos.set(nameKey('hostname.bind'), answer);
  }
  if (dns.version !== undefined) chaos.set(nameKey('version.bind'), chaosTxt(Buffer.from(dns.version)));
  const source = identity?.cookies;
  return { nsid, chaos, cookies: source === undefined ? undefined : new ServerCookies(source), requireCookies: dns.cookies.require };
}

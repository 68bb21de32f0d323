import { createHmac } from 'node:crypto';
import type { CookieSecretSource } from '../config/dns-identity.js';
import { siphash24, sipKeyOf, type SipKey } from './siphash.js';

// Interoperable server cookies (RFC 9018 4): Version 1, three reserved octets, a 32-bit
// timestamp and SipHash-2-4(Client Cookie | Version | Reserved | Timestamp | Client-IP) under
// a 128-bit secret. Any server holding the same secret (Knot, BIND, PowerDNS, another
// geosteer) makes and accepts the same cookies.

/** What the query's server cookie was (RFC 7873 5.2.3 - 5.2.5). */
export const CookieCheck = {
  /** Only a client cookie. */
  ClientOnly: 0,
  /** A server cookie that is not ours, too old, or from the future. */
  Invalid: 1,
  Valid: 2,
} as const;
export type CookieCheck = (typeof CookieCheck)[keyof typeof CookieCheck];

/** Server cookie octets this server sends: version 1 (RFC 9018 4.1). */
export const SERVER_COOKIE_LENGTH = 16;
/** A cookie is accepted up to an hour old and five minutes ahead (RFC 9018 4.3). */
const MAX_AGE = 3600;
const MAX_AHEAD = 300;
/** Older than this it is replaced by a fresh one, else echoed (RFC 9018 4.3: "at least if ... more than half an hour old"). */
const RENEW_AGE = 1800;
const KEY_CACHE = 4;

/** Derives the generated secret's key of one rotation period: HMAC-SHA256(master, label | period), first 16 octets. */
function periodKey(master: Uint8Array, period: number): SipKey {
  return sipKeyOf(createHmac('sha256', master).update(`geosteer server cookie ${period}`).digest().subarray(0, 16));
}

/**
 * Checks and makes server cookies. One per compiled snapshot; synchronous, and reuses its
 * buffers (the handler is not re-entrant).
 */
export class ServerCookies {
  private readonly input = new Uint8Array(32);
  private readonly tag = new Uint8Array(8);
  private readonly configured: readonly SipKey[];
  private readonly periodKeys = new Map<number, SipKey>();

  constructor(private readonly source: CookieSecretSource) {
    this.configured = source.kind === 'configured' ? source.secrets.map(sipKeyOf) : [];
  }

  /** The key a generated secret uses for cookies stamped at `time` (seconds); derived once per period. */
  private keyAt(time: number): SipKey {
    if (this.source.kind === 'configured') return this.configured[0];
    const period = Math.floor(time / this.source.rotationSeconds);
    let key = this.periodKeys.get(period);
    if (key === undefined) {
      if (this.periodKeys.size >= KEY_CACHE) this.periodKeys.clear();
      key = periodKey(this.source.master, period);
      this.periodKeys.set(period, key);
    }
    return key;
  }

  /**
   * Checks the COOKIE option msg[offset, offset + length) (a client cookie, then maybe a
   * server cookie) of a query from `ip` (ip[ipOffset, +ipLength), 4 or 16 octets) at `now`
   * (seconds since the epoch), and writes the reply's server cookie to out[0, 16): the
   * query's own when valid and recent, else a fresh one stamped `now`.
   */
  check(msg: Uint8Array, offset: number, length: number, ip: Uint8Array, ipOffset: number, ipLength: number, now: number, out: Uint8Array): CookieCheck {
    const input = this.input;
    for (let i = 0; i < 8; i++) input[i] = msg[offset + i];
    for (let i = 0; i < ipLength; i++) input[16 + i] = ip[ipOffset + i];
    const hashed = 16 + ipLength;
    let verdict: CookieCheck = length === 8 ? CookieCheck.ClientOnly : CookieCheck.Invalid;
    // only version 1 cookies of 16 octets are ours (RFC 9018 4.1)
    if (length === 24 && msg[offset + 8] === 1) {
      const stamp = ((msg[offset + 12] << 24) | (msg[offset + 13] << 16) | (msg[offset + 14] << 8) | msg[offset + 15]) >>> 0;
      const age = (now - stamp) | 0; // serial number arithmetic (RFC 1982), as RFC 9018 4.3 asks
      if (age <= MAX_AGE && age >= -MAX_AHEAD) {
        // the reserved octets are hashed as received (RFC 9018 4.2)
        for (let i = 8; i < 16; i++) input[i] = msg[offset + i];
        const generating = this.keyAt(now);
        const maker = this.makerOf(stamp, msg, offset + 16, hashed);
        if (maker !== undefined) {
          // still fresh and made with the key in use: echo it, saving the second hash
          if (age <= RENEW_AGE && maker === generating) {
            for (let i = 0; i < SERVER_COOKIE_LENGTH; i++) out[i] = msg[offset + 8 + i];
            return CookieCheck.Valid;
          }
          return this.fresh(generating, now, hashed, out, CookieCheck.Valid);
        }
      }
    }
    return this.fresh(this.keyAt(now), now, hashed, out, verdict);
  }

  /** The key whose hash of input[0, hashed) is the 8 octets at msg[at], among those accepted for a cookie stamped `stamp`. */
  private makerOf(stamp: number, msg: Uint8Array, at: number, hashed: number): SipKey | undefined {
    if (this.source.kind === 'generated') {
      const key = this.keyAt(stamp);
      return this.matches(key, msg, at, hashed) ? key : undefined;
    }
    for (let k = 0; k < this.configured.length; k++) if (this.matches(this.configured[k], msg, at, hashed)) return this.configured[k];
    return undefined;
  }

  /** True when the 8 octets at msg[at] are the hash of input[0, hashed) under `key`. */
  private matches(key: SipKey, msg: Uint8Array, at: number, hashed: number): boolean {
    const tag = this.tag;
    siphash24(key, this.input, 0, hashed, tag, 0);
    let diff = 0;
    for (let i = 0; i < 8; i++) diff |= tag[i] ^ msg[at + i];
    return diff === 0;
  }

  /** Writes a fresh cookie stamped `now` to out; returns `verdict`. */
  private fresh(key: SipKey, now: number, hashed: number, out: Uint8Array, verdict: CookieCheck): CookieCheck {
    const input = this.input;
    input[8] = 1;
    input[9] = 0;
    input[10] = 0;
    input[11] = 0;
    input[12] = (now >>> 24) & 0xff;
    input[13] = (now >>> 16) & 0xff;
    input[14] = (now >>> 8) & 0xff;
    input[15] = now & 0xff;
    for (let i = 0; i < 8; i++) out[i] = input[8 + i];
    siphash24(key, input, 0, hashed, out, 8);
    return verdict;
  }
}

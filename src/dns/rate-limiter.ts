import { isIPv4Mapped } from '../shared/ip-address.js';
import { TwoGenerationCache } from '../geo/two-generation-cache.js';

// Response rate limiting against reflection (the idea of BIND's RRL, simplified): UDP
// responses per client prefix (/24 IPv4, /56 IPv6) per second. Over the limit, every
// `slip`-th response is sent truncated (TC set, no answer) so a real client behind a spoofed
// flood can still retry over TCP, which cannot be spoofed; the others are dropped.

/** What to do with one response. */
export const RateDecision = { Send: 0, Slip: 1, Drop: 2 } as const;
export type RateDecision = (typeof RateDecision)[keyof typeof RateDecision];

/** RRL settings (config dns.rrl). */
export interface RateLimitSettings {
  readonly responsesPerSecond: number;
  /** Every slip-th limited response goes out truncated; 0 drops them all. */
  readonly slip: number;
  /** Prefixes tracked at most (older ones are forgotten first). */
  readonly maxClients?: number;
}

interface Bucket {
  second: number;
  count: number;
  limited: number;
}

/** Per-prefix response counter; `now` in ms is a parameter so tests need no sleeps. */
export class ResponseRateLimiter {
  private readonly buckets: TwoGenerationCache<string, Bucket>;

  constructor(
    private readonly settings: RateLimitSettings,
    private readonly now: () => number = Date.now,
  ) {
    this.buckets = new TwoGenerationCache(settings.maxClients ?? 100_000);
  }

  /** Counts one response to `address` and says whether to send, slip or drop it. */
  decide(address: string): RateDecision {
    return this.decideKey(prefixKey(address));
  }

  /** decide() for a client already reduced to its prefixKey. */
  decideKey(key: string): RateDecision {
    const second = Math.floor(this.now() / 1000);
    let b = this.buckets.get(key);
    if (b === undefined) {
      b = { second, count: 0, limited: 0 };
      this.buckets.set(key, b);
    }
    if (b.second !== second) {
      b.second = second;
      b.count = 0;
    }
    if (++b.count <= this.settings.responsesPerSecond) return RateDecision.Send;
    b.limited++;
    return this.settings.slip > 0 && b.limited % this.settings.slip === 0 ? RateDecision.Slip : RateDecision.Drop;
  }
}

/** /24 of an IPv4 address (also IPv4-mapped IPv6), the first 56 bits of an IPv6 one, as text. */
export function prefixKey(address: string): string {
  const dot = address.lastIndexOf('.');
  if (dot >= 0) {
    const start = address.lastIndexOf(':') + 1; // ::ffff:a.b.c.d
    return address.slice(start, dot);
  }
  // expand just enough to take the first 56 bits: 3 full groups and the high byte of the 4th
  const [head, tail] = address.toLowerCase().split('::');
  const groups = head === '' ? [] : head.split(':');
  if (tail !== undefined) {
    const tailGroups = tail === '' ? [] : tail.split(':');
    while (groups.length + tailGroups.length < 8) groups.push('0');
    groups.push(...tailGroups);
  }
  const g = (i: number) => (groups[i] ?? '0').padStart(4, '0');
  return `${g(0)}:${g(1)}:${g(2)}:${g(3).slice(0, 2)}`;
}

/** prefixKey of an address given as bytes: family 4 at bytes[offset, +4), 6 at bytes[offset, +16). */
export function prefixKeyOfBytes(family: number, bytes: Uint8Array, offset: number): string {
  if (family === 4) return `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}`;
  if (isIPv4Mapped(bytes, offset)) return `${bytes[offset + 12]}.${bytes[offset + 13]}.${bytes[offset + 14]}`;
  const hex = (i: number) => bytes[offset + i].toString(16).padStart(2, '0');
  return `${hex(0)}${hex(1)}:${hex(2)}${hex(3)}:${hex(4)}${hex(5)}:${hex(6)}`;
}

// Cloudflare's rate-limit headers (developers.cloudflare.com/fundamentals/api/reference/limits):
//   Ratelimit: "default";r=50;t=30        remaining requests r, seconds t until the window resets
//   Ratelimit-Policy: "default";q=1200;w=300
//   Retry-After: 300                       on a 429: seconds (rounded up) until capacity returns
// (IETF draft-ietf-httpapi-ratelimit-headers structured fields). The older
// X-RateLimit-Remaining is read when Ratelimit is absent.

/** What the server says is left of its window. */
export interface ServerBudget {
  readonly remaining: number;
  /** Milliseconds until the window resets (0 when the server did not say). */
  readonly resetMs: number;
}

function param(item: string, key: string): number | undefined {
  const m = new RegExp(`;\\s*${key}=(\\d+)`).exec(item);
  return m ? Number(m[1]) : undefined;
}

/** The tightest limit item of a `Ratelimit` header (or X-RateLimit-Remaining), if any. */
export function serverBudget(headers: Headers | undefined): ServerBudget | undefined {
  const value = headers?.get('ratelimit');
  if (value) {
    let best: ServerBudget | undefined;
    for (const item of value.split(',')) {
      const r = param(item, 'r');
      if (r === undefined) continue;
      if (!best || r < best.remaining) best = { remaining: r, resetMs: (param(item, 't') ?? 0) * 1000 };
    }
    if (best) return best;
  }
  const legacy = headers?.get('x-ratelimit-remaining');
  return legacy !== null && legacy !== undefined && /^\d+$/.test(legacy) ? { remaining: Number(legacy), resetMs: 0 } : undefined;
}

/** A 429's Retry-After in ms (delta seconds or an HTTP date), or undefined. */
export function retryAfterMs(headers: Headers | undefined, now: number): number | undefined {
  const value = headers?.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

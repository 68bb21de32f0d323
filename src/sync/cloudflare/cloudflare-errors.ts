import { APIConnectionError, APIError, APIUserAbortError } from 'cloudflare';
import type { RefusalDetail } from '../provider-errors.js';

// What a Cloudflare v4 error means for the sync. Codes this relies on (errors[].code):
//   10000 Authentication error (bad token, or a token without the permission: 403 on writes
//   of a read-only token), 9109/9103/9106/6003/6111 token and header problems, 7003/7000
//   "could not route" (unknown zone id, 404), 81045 "Record quota exceeded.", 10429/971 rate
//   limited (429, with Retry-After), 81044 record does not exist, 81053/81054 CNAME clashes,
//   81057/81058 (identical) record already exists, 9xxx validation. Validation errors come
//   as 1004 "DNS Validation Error" with the root cause in `error_chain`.

const TOKEN_CODES = new Set([10000, 9103, 9106, 9109, 6003, 6111]);
const ZONE_CODES = new Set([7000, 7003]);
/** Cloudflare's code for "the zone is at its record quota". */
export const QUOTA_EXCEEDED = 81045;
/** A create whose record exists already (81057 older, 81058 current wording). */
export const ALREADY_EXISTS = new Set([81057, 81058]);
/** An update or delete of a record that is gone. */
export const RECORD_MISSING = 81044;

/** What failed, flattened: the HTTP status, the root-cause code, and every message in the chain. */
export interface ErrorDetail {
  readonly status: number | undefined;
  readonly code: number | undefined;
  readonly message: string;
}

interface ChainedError {
  code?: number;
  message?: string;
  error_chain?: ChainedError[];
}

function chainOf(e: ChainedError): ChainedError[] {
  return [e, ...(e.error_chain ?? []).flatMap(chainOf)];
}

/** The status, root-cause code and full message of an error (`error_chain` kept, not dropped). */
export function errorDetail(err: unknown): ErrorDetail {
  if (err instanceof APIError && !(err instanceof APIConnectionError)) {
    const first = (err.errors as ChainedError[])[0];
    if (first) {
      const chain = chainOf(first);
      const root = chain[chain.length - 1];
      return { status: err.status, code: root.code, message: `${err.status} ${chain.map((c) => `${c.code ?? ''} ${c.message ?? ''}`.trim()).join(': ')}` };
    }
    return { status: err.status, code: undefined, message: err.message };
  }
  return { status: undefined, code: undefined, message: (err as Error)?.message ?? String(err) };
}

/** How one failed request should be handled. */
export type CloudflareFailure =
  | { readonly kind: 'aborted' }
  | { readonly kind: 'rate_limited'; readonly headers: Headers | undefined }
  /** 5xx, connection reset, timeout: the request may or may not have been carried out. */
  | { readonly kind: 'transient' }
  | { readonly kind: 'refused'; readonly refusal: RefusalDetail }
  /** This record (or one in the batch) was refused; the others may go through. */
  | { readonly kind: 'record'; readonly code: number | undefined; readonly message: string };

/** Context for refusal messages. */
export interface ErrorContext {
  readonly zoneId: string;
  /** The environment variable holding the token, for the "what to change" line. */
  readonly tokenEnv: string;
  /** A read (list, usage) or a write (batch, create, update, delete). */
  readonly write: boolean;
}

function refusal(d: ErrorDetail, ctx: ErrorContext): RefusalDetail | undefined {
  const said = `HTTP ${d.message}`;
  if (d.code === QUOTA_EXCEEDED) {
    return {
      reason: 'quota',
      code: d.code,
      what: `Cloudflare refused a new record in zone ${ctx.zoneId} (${said})`,
      why: "the zone is at its plan's DNS record quota",
      fix: "raise the zone's record limit (plan), delete records you no longer need, or publish fewer names (sync.cloudflare.names)",
    };
  }
  if (d.status === 404 && d.code !== undefined && ZONE_CODES.has(d.code)) {
    return {
      reason: 'zone',
      code: d.code,
      what: `Cloudflare does not know zone ${ctx.zoneId} (${said})`,
      why: 'sync.cloudflare.zone_id is wrong, or the token cannot see that zone',
      fix: "copy the zone id from the zone's Overview page in the Cloudflare dashboard into sync.cloudflare.zone_id",
    };
  }
  if (d.status === 401 || d.status === 403 || (d.code !== undefined && TOKEN_CODES.has(d.code))) {
    if (ctx.write && d.status === 403) {
      return {
        reason: 'permission',
        code: d.code,
        what: `Cloudflare refused to change DNS records in zone ${ctx.zoneId} (${said})`,
        why: 'the API token may read the zone but not edit its DNS records',
        fix: `give the token in ${ctx.tokenEnv} the permission Zone > DNS > Edit on this zone (or set sync.cloudflare.dry_run: true)`,
      };
    }
    return {
      reason: 'auth',
      code: d.code,
      what: `Cloudflare rejected the API token for zone ${ctx.zoneId} (${said})`,
      why: 'the token is invalid or expired, or may not read this zone',
      fix: `export a token with Zone > DNS > Edit on this zone as ${ctx.tokenEnv} and restart`,
    };
  }
  return undefined;
}

/** Classifies an SDK error (or an abort) for the sync. */
export function classifyCloudflareError(err: unknown, ctx: ErrorContext): CloudflareFailure {
  if (err instanceof APIUserAbortError || (err as Error)?.name === 'AbortError') return { kind: 'aborted' };
  if (err instanceof APIConnectionError) return { kind: 'transient' };
  if (!(err instanceof APIError) || err.status === undefined) return { kind: 'transient' };
  const d = errorDetail(err);
  if (err.status === 429) return { kind: 'rate_limited', headers: err.headers };
  if (err.status >= 500) return { kind: 'transient' };
  const refused = refusal(d, ctx);
  if (refused) return { kind: 'refused', refusal: refused };
  return { kind: 'record', code: d.code, message: d.message };
}

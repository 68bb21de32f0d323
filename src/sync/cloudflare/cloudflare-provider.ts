import Cloudflare, { APIConnectionError, APIError } from 'cloudflare';
import type { Logger } from '../../shared/logger.js';
import { isInZone } from '../../config/records.js';
import { type ApplyResult, type ChangeOp, type DnsProvider, type RecordFailure } from '../dns-provider.js';
import type { DnsRecord, SyncRecordType } from '../dns-record.js';
import type { Changes } from '../plan.js';
import { DEFAULT_RETRY, withRetry, type RetryOptions, type RetryVerdict } from './retry.js';

// Cloudflare v4 DNS records through the official SDK (cloudflare 7.x). Facts this relies on:
// - path parameters move into the body object: records.update(id, { zone_id, ... });
// - list() auto-paging only stops on an empty page, so we page by hand and stop at
//   result_info.total_pages (one request saved per listing) and filter by name.endswith;
// - 429 bodies carry code 10429 and a Retry-After header; the SDK would obey it unbounded,
//   so its retries are off and retry.ts bounds them;
// - there is no idempotency key: a retried create whose first attempt was committed fails
//   with 81058 "identical record already exists", which we confirm by re-reading;
// - the batch endpoint runs deletes, patches, puts, posts in one transaction: one bad
//   record fails the whole batch, so a refused batch is replayed record by record.

const IDENTICAL_RECORD_EXISTS = 81058;
const RECORD_DOES_NOT_EXIST = 81044;
const SUPPORTED = new Set<string>(['A', 'AAAA', 'CNAME', 'NS', 'TXT']);

/** How to reach one Cloudflare zone. */
export interface CloudflareProviderOptions {
  readonly apiToken: string;
  readonly zoneId: string;
  /** e.g. http://127.0.0.1:PORT/client/v4 for a fake; defaults to the SDK's (api.cloudflare.com). */
  readonly baseURL?: string;
  readonly log: Logger;
  readonly retry?: Partial<RetryOptions>;
  /** Records per listing page (Cloudflare allows up to 5,000,000; 1000 keeps responses small). */
  readonly perPage?: number;
  /** Changes per batch request (200 is the Free plan's limit). */
  readonly batchSize?: number;
  /** Request timeout in milliseconds. */
  readonly timeoutMs?: number;
}

interface CloudflareRecordLike {
  id: string;
  name: string;
  type: string;
  content?: string;
  ttl?: number;
  proxied?: boolean;
  comment?: string | null;
}

/** Cloudflare's first error code on an SDK error, when there is one. */
export function cloudflareErrorCode(err: unknown): number | undefined {
  return err instanceof APIError ? (err.errors as { code?: number }[])[0]?.code : undefined;
}

/** 429: wait Retry-After; 5xx and connection errors: back off; anything else is permanent. */
export function classifyCloudflareError(err: unknown): RetryVerdict {
  if (err instanceof APIConnectionError) return { retry: true, delayMs: undefined };
  if (!(err instanceof APIError) || err.status === undefined) return { retry: false };
  if (err.status === 429) {
    const after = Number(err.headers?.get('retry-after'));
    return { retry: true, delayMs: Number.isFinite(after) && after >= 0 ? after * 1000 : undefined };
  }
  return err.status >= 500 ? { retry: true, delayMs: undefined } : { retry: false };
}

function isRetryable(err: unknown): boolean {
  return classifyCloudflareError(err).retry;
}

function messageOf(err: unknown): string {
  if (err instanceof APIError) {
    const first = (err.errors as { code?: number; message?: string }[])[0];
    return first?.message ? `${err.status} ${first.code ?? ''} ${first.message}`.replace(/\s+/g, ' ') : err.message;
  }
  return (err as Error).message ?? String(err);
}

function toRecord(r: CloudflareRecordLike): DnsRecord {
  return {
    id: r.id,
    name: r.name.toLowerCase().replace(/\.$/, ''),
    type: r.type as SyncRecordType,
    content: r.content ?? '',
    ttl: r.ttl ?? 1,
    proxied: r.proxied ?? false,
    ...(r.comment ? { comment: r.comment } : {}),
  };
}

function body(r: DnsRecord) {
  return { name: r.name, type: r.type, content: r.content, ttl: r.ttl, proxied: r.proxied, comment: r.comment ?? '' };
}

/** A DnsProvider backed by one Cloudflare zone. */
export class CloudflareProvider implements DnsProvider {
  private readonly client: Cloudflare;
  private readonly retry: RetryOptions;
  private readonly perPage: number;
  private readonly batchSize: number;
  /** Requests sent (attempts, retries included), for logs and tests of the request budget. */
  requests = 0;

  constructor(private readonly opts: CloudflareProviderOptions) {
    this.client = new Cloudflare({ apiToken: opts.apiToken, baseURL: opts.baseURL, maxRetries: 0, timeout: opts.timeoutMs ?? 30_000 });
    this.retry = { ...DEFAULT_RETRY, ...opts.retry };
    this.perPage = opts.perPage ?? 1000;
    this.batchSize = opts.batchSize ?? 200;
  }

  private call<T>(fn: () => Promise<T>): Promise<T> {
    return withRetry(
      () => {
        this.requests++;
        return fn();
      },
      classifyCloudflareError,
      this.retry,
    );
  }

  async records(suffixes: readonly string[]): Promise<DnsRecord[]> {
    const byId = new Map<string, DnsRecord>();
    for (const suffix of suffixes) {
      for (const r of await this.listPages({ name: { endswith: suffix } })) {
        if (SUPPORTED.has(r.type) && isInZone(r.name, suffix)) byId.set(r.id!, r);
      }
    }
    return [...byId.values()];
  }

  private async listPages(filter: Record<string, unknown>): Promise<DnsRecord[]> {
    const out: DnsRecord[] = [];
    const maxPages = 1000;
    for (let page = 1; page <= maxPages; page++) {
      const result = await this.call(() => this.client.dns.records.list({ zone_id: this.opts.zoneId, ...filter, per_page: this.perPage, page }));
      const items = result.result as unknown as CloudflareRecordLike[];
      out.push(...items.map(toRecord));
      const totalPages = (result.result_info as { total_pages?: number }).total_pages ?? 1;
      if (items.length === 0 || page >= totalPages) break;
    }
    return out;
  }

  async apply(changes: Changes): Promise<ApplyResult> {
    type Op = { op: ChangeOp; record: DnsRecord };
    const ops: Op[] = [
      ...changes.deletes.map((record) => ({ op: 'delete' as const, record })),
      ...changes.updates.map(({ after }) => ({ op: 'update' as const, record: after })),
      ...changes.creates.map((record) => ({ op: 'create' as const, record })),
    ];
    const applied: Op[] = [];
    const failed: RecordFailure[] = [];
    for (let i = 0; i < ops.length; i += this.batchSize) {
      const chunk = ops.slice(i, i + this.batchSize);
      try {
        await this.call(() =>
          this.client.dns.records.batch({
            zone_id: this.opts.zoneId,
            deletes: chunk.filter((o) => o.op === 'delete').map((o) => ({ id: o.record.id! })),
            puts: chunk.filter((o) => o.op === 'update').map((o) => ({ id: o.record.id!, ...body(o.record) })) as never,
            posts: chunk.filter((o) => o.op === 'create').map((o) => body(o.record)) as never,
          }),
        );
        applied.push(...chunk);
        continue;
      } catch (err) {
        if (isRetryable(err)) {
          for (const o of chunk) failed.push({ ...o, code: cloudflareErrorCode(err), message: messageOf(err), retryable: true });
          continue;
        }
        // One record spoiled the whole transaction: replay one by one to find it.
        this.opts.log.warn({ err: messageOf(err), records: chunk.length }, 'cloudflare batch refused; applying record by record');
      }
      for (const o of chunk) {
        try {
          await this.applyOne(o.op, o.record);
          applied.push(o);
        } catch (err) {
          failed.push({ ...o, code: cloudflareErrorCode(err), message: messageOf(err), retryable: isRetryable(err) });
        }
      }
    }
    return { applied, failed };
  }

  private async applyOne(op: ChangeOp, r: DnsRecord): Promise<void> {
    const zone_id = this.opts.zoneId;
    try {
      if (op === 'delete') await this.call(() => this.client.dns.records.delete(r.id!, { zone_id }));
      else if (op === 'update') await this.call(() => this.client.dns.records.update(r.id!, { zone_id, ...body(r) } as never));
      else await this.call(() => this.client.dns.records.create({ zone_id, ...body(r) } as never));
    } catch (err) {
      const code = cloudflareErrorCode(err);
      if (op === 'delete' && (code === RECORD_DOES_NOT_EXIST || (err instanceof APIError && err.status === 404))) return;
      if (op === 'create' && code === IDENTICAL_RECORD_EXISTS && (await this.exists(r))) return;
      throw err;
    }
  }

  /** Re-reads the record's name to confirm an "identical record already exists" answer. */
  private async exists(r: DnsRecord): Promise<boolean> {
    const found = await this.listPages({ name: { exact: r.name }, type: r.type });
    return found.some((f) => f.content === r.content);
  }
}

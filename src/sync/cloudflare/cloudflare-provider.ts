import Cloudflare from 'cloudflare';
import type { Logger } from '../../shared/logger.js';
import type { ApplyOptions, ApplyResult, DnsProvider, ProviderCallOptions, ZoneCapacity, ZoneListing } from '../dns-provider.js';
import { SYNC_RECORD_TYPES, type DnsRecord, type SyncRecordType } from '../dns-record.js';
import type { RecordChange } from '../landed-changes.js';
import type { ChangeSet } from '../plan.js';
import type { RequestBudget } from '../request-budget.js';
import type { SyncObserver } from '../sync-observer.js';
import type { SyncTimers } from '../sync-timers.js';
import { BatchApplier, type BatchRules } from './batch-apply.js';
import { CloudflareCallError, CloudflareCalls, DEFAULT_CALL_RULES, type CallRules } from './cloudflare-calls.js';
import { ALREADY_EXISTS, RECORD_MISSING } from './cloudflare-errors.js';

// Cloudflare v4 DNS records through the official SDK (cloudflare 7.x), whole zone at a time:
// - GET /zones/:id/dns_records?per_page=5000&page=N: one request per 5000 records (5000 is
//   the most Cloudflare returns per page), stopping at result_info.total_pages; the planner
//   filters client-side, so a quiet run costs one request however many names are synced;
// - GET /zones/:id/dns_records/usage: {record_quota, record_usage}, read before a plan that
//   adds records (record_quota is null when the account, not the zone, sets the limit);
// - changes through the batch endpoint (batch-apply.ts), request discipline in cloudflare-calls.ts;
// - path parameters move into the body object: records.update(id, { zone_id, ... });
// - the SDK's own retries are off (maxRetries: 0): they obey Retry-After without bound.

/** How to reach one Cloudflare zone, and the shared parts it spends from. */
export interface CloudflareProviderOptions {
  readonly apiToken: string;
  readonly zoneId: string;
  /** The variable the token came from, named in refusal messages. */
  readonly tokenEnv: string;
  /** e.g. http://127.0.0.1:PORT/client/v4 for a fake; defaults to the SDK's (api.cloudflare.com). */
  readonly baseURL?: string;
  readonly log: Logger;
  readonly budget: RequestBudget;
  readonly timers: SyncTimers;
  readonly observer: SyncObserver;
  readonly rules?: Partial<CallRules>;
  /** Changes per batch request: 200 on Free, 3500 on Pro and above. */
  readonly batchSize?: number;
  /** Records per listing page (Cloudflare returns at most 5000). */
  readonly perPage?: number;
  readonly timeoutMs?: number;
  readonly random?: () => number;
}

interface CloudflareRecordLike {
  id: string;
  name: string;
  type: string;
  content?: string;
  ttl?: number;
  proxied?: boolean;
  comment?: string | null;
  created_on?: string;
}

const SUPPORTED = new Set<string>(SYNC_RECORD_TYPES);

function toRecord(r: CloudflareRecordLike): DnsRecord {
  return {
    id: r.id,
    name: r.name.toLowerCase().replace(/\.$/, ''),
    type: r.type as SyncRecordType,
    content: r.content ?? '',
    ttl: r.ttl ?? 1,
    proxied: r.proxied ?? false,
    ...(r.comment ? { comment: r.comment } : {}),
    ...(r.created_on ? { createdOn: r.created_on } : {}),
  };
}

function body(r: DnsRecord) {
  return { name: r.name, type: r.type, content: r.content, ttl: r.ttl, proxied: r.proxied, comment: r.comment ?? '' };
}

/** A DnsProvider backed by one Cloudflare zone. */
export class CloudflareProvider implements DnsProvider {
  private readonly client: Cloudflare;
  private readonly calls: CloudflareCalls;
  private readonly applier: BatchApplier;
  private readonly perPage: number;
  private readonly zone_id: string;

  constructor(opts: CloudflareProviderOptions) {
    this.client = new Cloudflare({ apiToken: opts.apiToken, baseURL: opts.baseURL, maxRetries: 0, timeout: opts.timeoutMs ?? 30_000 });
    this.zone_id = opts.zoneId;
    this.perPage = opts.perPage ?? 5000;
    const rules = { ...DEFAULT_CALL_RULES, ...opts.rules };
    const random = opts.random ?? Math.random;
    this.calls = new CloudflareCalls({ budget: opts.budget, timers: opts.timers, observer: opts.observer, log: opts.log, rules, context: { zoneId: opts.zoneId, tokenEnv: opts.tokenEnv }, random });
    const batchRules: BatchRules = { batchSize: opts.batchSize ?? 200, batchAttempts: 3, cooldownMs: 300_000 };
    this.applier = new BatchApplier(
      { batch: (cs, signal) => this.batch(cs, signal), single: (c, ambiguous, signal) => this.single(c, ambiguous, rules, opts.timers, signal), list: (signal) => this.list({ signal }) },
      batchRules,
      opts.timers,
      opts.log,
    );
  }

  async list(opts: ProviderCallOptions = {}): Promise<ZoneListing> {
    const records: DnsRecord[] = [];
    let total = 0;
    for (let page = 1; page <= 1000; page++) {
      const result = await this.calls.send('list', (signal) => this.client.dns.records.list({ zone_id: this.zone_id, per_page: this.perPage, page }, { signal }), { idempotent: true, signal: opts.signal });
      const items = result.result as unknown as CloudflareRecordLike[];
      for (const r of items) if (SUPPORTED.has(r.type)) records.push(toRecord(r));
      const info = result.result_info as { total_pages?: number; total_count?: number };
      total = info.total_count ?? total + items.length;
      if (items.length === 0 || page >= (info.total_pages ?? 1)) break;
    }
    return { records, total };
  }

  async capacity(opts: ProviderCallOptions = {}): Promise<ZoneCapacity> {
    const usage = await this.calls.send('usage', (signal) => this.client.dns.usage.zone.get({ zone_id: this.zone_id }, { signal }), { idempotent: true, signal: opts.signal });
    return { quota: usage.record_quota ?? undefined, used: usage.record_usage };
  }

  apply(changes: ChangeSet, opts: ApplyOptions = {}): Promise<ApplyResult> {
    return this.applier.apply(changes, opts);
  }

  private async batch(changes: readonly RecordChange[], signal: AbortSignal | undefined): Promise<void> {
    const of = (op: RecordChange['op']) => changes.filter((c) => c.op === op).map((c) => c.record);
    const params = {
      zone_id: this.zone_id,
      deletes: of('delete').map((r) => ({ id: r.id! })),
      puts: of('update').map((r) => ({ id: r.id!, ...body(r) })) as never,
      posts: of('create').map(body) as never,
    };
    await this.calls.send('batch', (s) => this.client.dns.records.batch(params, { signal: s }), { idempotent: false, signal });
  }

  private async single(change: RecordChange, ambiguous: boolean, rules: CallRules, timers: SyncTimers, signal: AbortSignal | undefined): Promise<void> {
    const { op, record: r } = change;
    const zone_id = this.zone_id;
    try {
      if (op === 'delete') await this.calls.send('delete', (s) => this.client.dns.records.delete(r.id!, { zone_id }, { signal: s }), { idempotent: true, signal });
      else if (op === 'update') await this.calls.send('update', (s) => this.client.dns.records.update(r.id!, { zone_id, ...body(r) } as never, { signal: s }), { idempotent: true, signal });
      else await this.create(r, ambiguous, rules, timers, signal);
    } catch (err) {
      // a delete of a record already gone is done (RECORD_MISSING, or a plain 404)
      if (op === 'delete' && err instanceof CloudflareCallError && err.failure.kind === 'record' && err.failure.code === RECORD_MISSING) return;
      throw err;
    }
  }

  /** A POST is not repeated blindly: after a lost answer, "already exists" means it landed. */
  private async create(r: DnsRecord, ambiguous: boolean, rules: CallRules, timers: SyncTimers, signal: AbortSignal | undefined): Promise<void> {
    let lost = ambiguous;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.calls.send('create', (s) => this.client.dns.records.create({ zone_id: this.zone_id, ...body(r) } as never, { signal: s }), { idempotent: false, signal });
        return;
      } catch (err) {
        if (!(err instanceof CloudflareCallError)) throw err;
        if (lost && err.failure.kind === 'record' && err.failure.code !== undefined && ALREADY_EXISTS.has(err.failure.code)) return;
        if (err.failure.kind !== 'transient' || attempt >= rules.attempts) throw err;
        lost = true;
        await timers.sleep(rules.baseDelayMs * 2 ** (attempt - 1), signal);
      }
    }
  }
}

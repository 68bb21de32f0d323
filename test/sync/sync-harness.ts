import { afterEach } from 'vitest';
import { silentLogger } from '../../src/shared/logger.js';
import { regionStatusView, ALL_UP, type HealthView } from '../../src/steering/region-status.js';
import type { CloudflareSync } from '../../src/sync/reconciler.js';
import { startCloudflareSync, type SyncDeps } from '../../src/sync/start-sync.js';
import type { SyncInput, SyncSource } from '../../src/sync/sync-input.js';
import type { RunReport } from '../../src/sync/sync-report.js';
import type { FakeCloudflare, FakeRecord } from '../support/fake-cloudflare.js';
import { eventually } from '../support/redis-server.js';
import { exampleDocument, loadDocument } from '../support/test-server.js';
import { VirtualTimers } from './virtual-timers.js';

// Shared by the sync tests: the example config pointed at the fake API, inputs built the
// way the control plane builds them (model + region status), and a source tests can change.

/** The example config with sync.cloudflare at `fake` (api.example.com, per region + failover record). */
export function syncDocument(fake: FakeCloudflare, extra: Record<string, unknown> = {}): Record<string, any> {
  const doc = exampleDocument();
  doc.sync = {
    cloudflare: {
      zone_id: fake.zoneId,
      zone_name: 'example.com',
      base_url: fake.baseURL,
      api_token_env: 'TEST_CF_TOKEN',
      owner_id: 'geo-test',
      interval: '1h',
      debounce: '2s',
      names: [{ name: 'api.example.com', per_region: true, failover_record: true, ttl: 60 }],
      ...extra,
    },
  };
  return doc;
}

/** Adds `count` steered names svc<i>.example.com over all four regions, each synced per region (8 records a name). */
export function withNames(doc: Record<string, any>, count: number): Record<string, any> {
  for (let i = 0; i < count; i++) {
    doc.names.push({ name: `svc${i}.example.com`, default: ['taiwan', 'tokyo', 'singapore', 'us-west'] });
    doc.sync.cloudflare.names.push({ name: `svc${i}.example.com`, per_region: true, ttl: 60 });
  }
  return doc;
}

let generation = 0;

/** The input a control plane would hand the sync for `doc` under `health` and `drains`. */
export function inputOf(doc: Record<string, any>, health: HealthView = ALL_UP, drains: string[] = []): SyncInput {
  const { model } = loadDocument(doc);
  const status = regionStatusView(model.regions, { weights: new Map(), drains: new Map(drains.map((d) => [d, {}])) }, health);
  return { generation: ++generation, model, status };
}

/** A SyncSource whose input the test sets. */
export class TestSource implements SyncSource {
  private readonly listeners = new Set<(input: SyncInput) => void>();

  constructor(private input: SyncInput) {}

  current(): SyncInput {
    return this.input;
  }

  subscribe(listener: (input: SyncInput) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  set(input: SyncInput): void {
    this.input = input;
    for (const l of this.listeners) l(input);
  }
}

/** A started sync and what it runs on. */
export interface StartedSync {
  readonly sync: CloudflareSync;
  readonly source: TestSource;
  readonly timers: VirtualTimers;
}

/** Starts the real Cloudflare sync (real SDK, fake API) for `doc` on virtual timers. */
export async function startSync(doc: Record<string, any>, fake: FakeCloudflare, deps: Partial<SyncDeps> & { token?: string; timers?: VirtualTimers; input?: SyncInput } = {}): Promise<StartedSync> {
  const timers = deps.timers ?? new VirtualTimers();
  const source = new TestSource(deps.input ?? inputOf(doc));
  const { config } = loadDocument(doc);
  const sync = (await startCloudflareSync(config, source, {
    log: silentLogger(),
    env: { TEST_CF_TOKEN: deps.token ?? fake.token },
    random: () => 0.5,
    instanceId: 'test-instance',
    ...deps,
    timers,
  }))!;
  return { sync, source, timers };
}

/** Registers what a test starts; after each test the syncs are stopped, then the fakes closed. */
export function ownedPerTest(): { fake(f: FakeCloudflare): FakeCloudflare; sync<T extends { sync: CloudflareSync }>(started: T): T } {
  const syncs: CloudflareSync[] = [];
  const fakes: FakeCloudflare[] = [];
  afterEach(async () => {
    for (const s of syncs.splice(0)) await s.stop();
    for (const f of fakes.splice(0)) await f.close();
  });
  return {
    fake: (f) => (fakes.push(f), f),
    sync: (started) => (syncs.push(started.sync), started),
  };
}

/** The report of the start-up pass (start() kicks one off; syncNow() would add a follow-up). */
export async function firstRun(sync: CloudflareSync): Promise<RunReport> {
  await eventually(async () => (await sync.report()).last !== null, 'the first run');
  return (await sync.report()).last!;
}

/** The next finished pass after `previous` (a report object), once no pass is running. */
export async function nextRun(sync: CloudflareSync, previous: RunReport | null | undefined): Promise<RunReport> {
  await eventually(async () => {
    const r = await sync.report();
    return r.running === null && r.last !== null && r.last !== previous;
  }, 'the next run');
  return (await sync.report()).last!;
}

/** The records of a zone without the registry TXTs, as "name type content", sorted. */
export function zoneView(records: readonly FakeRecord[]): string[] {
  return records
    .filter((r) => !r.name.startsWith('_geosteer-'))
    .map((r) => `${r.name} ${r.type} ${r.content}`)
    .sort();
}

/** Requests since `from` (an index into fake.requests), as "METHOD path" with record ids as :id. */
export function requestsSince(fake: FakeCloudflare, from = 0): string[] {
  return fake.requests.slice(from).map((r) => `${r.method} ${new URL(r.url, 'http://x').pathname.replace(`/client/v4/zones/${fake.zoneId}`, '').replace(/\/[0-9a-f]{32}$/, '/:id')}`);
}

/** The ten records the example config publishes with everything up. */
export const FIRST_SYNC = [
  'api.example.com A 198.51.100.10',
  'api.example.com AAAA 2001:db8:1::10',
  'singapore.api.example.com A 198.51.100.20',
  'singapore.api.example.com AAAA 2001:db8:2::20',
  'taiwan.api.example.com A 198.51.100.10',
  'taiwan.api.example.com AAAA 2001:db8:1::10',
  'tokyo.api.example.com A 198.51.100.30',
  'tokyo.api.example.com AAAA 2001:db8:3::30',
  'us-west.api.example.com A 198.51.100.40',
  'us-west.api.example.com AAAA 2001:db8:4::40',
];

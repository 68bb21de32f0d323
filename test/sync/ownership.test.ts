import { beforeEach, describe, expect, it } from 'vitest';
import { startFakeCloudflare, type FakeCloudflare } from '../support/fake-cloudflare.js';
import { FIRST_SYNC, firstRun, inputOf, ownedPerTest, requestsSince, startSync, syncDocument, zoneView } from './sync-harness.js';

// Findings 1, 4 and 10 of issue 12: geosteer changes or deletes only records it created.

const own = ownedPerTest();

let fake: FakeCloudflare;

beforeEach(async () => {
  fake = own.fake(await startFakeCloudflare());
});

describe.each(['sync', 'upsert-only'] as const)('finding 1, policy %s: a record added by hand next to geosteer\'s', (policy) => {
  it('is reported as a conflict and never changed or deleted, also when the set\'s address changes', async () => {
    const doc = syncDocument(fake, { policy });
    const started = own.sync(await startSync(doc, fake));
    await firstRun(started.sync);
    const hand = fake.seed({ name: 'tokyo.api.example.com', type: 'A', content: '203.0.113.99', ttl: 300, comment: 'not ours' });

    let from = fake.requests.length;
    const quiet = (await started.sync.syncNow())!;
    expect(quiet.result).toBe('conflict');
    expect(quiet.plan?.deletes).toEqual([]);
    expect(quiet.plan?.conflicts).toEqual([
      { name: 'tokyo.api.example.com', type: 'A', reason: "1 record(s) in this set were not created by geosteer (no owner comment); left alone, geosteer's own are managed", records: ['tokyo.api.example.com A 203.0.113.99 ttl=300'] },
    ]);
    expect(requestsSince(fake, from)).toEqual(['GET /dns_records']);

    doc.regions.tokyo.endpoints[0].address = '198.51.100.31';
    started.source.set(inputOf(doc));
    from = fake.requests.length;
    const moved = (await started.sync.syncNow())!;
    expect(moved.result).toBe('conflict');
    expect(moved.plan?.updates).toEqual(['tokyo.api.example.com A 198.51.100.30 ttl=60 -> tokyo.api.example.com A 198.51.100.31 ttl=60']);
    expect(requestsSince(fake, from)).toEqual(['GET /dns_records', 'PUT /dns_records/:id']); // one change: a single call, not a batch
    expect(fake.records().find((r) => r.id === hand.id)).toEqual(hand);
    expect(zoneView(fake.records()).filter((r) => r.startsWith('tokyo.'))).toEqual(['tokyo.api.example.com A 198.51.100.31', 'tokyo.api.example.com A 203.0.113.99', 'tokyo.api.example.com AAAA 2001:db8:3::30']);
  });
});

describe('finding 4: two deployments (different owner_id) starting together on an empty zone', () => {
  it('both list before either writes; the earlier claim wins every name, the loser withdraws and reports conflicts', async () => {
    // both first listings are held until both arrived: each sees the empty zone
    fake.gate((q) => q.method === 'GET' && new URL(q.url, 'http://x').pathname.endsWith('/dns_records'), 2);
    const a = own.sync(await startSync(syncDocument(fake, { owner_id: 'geo-east' }), fake, { instanceId: 'east-1' }));
    const b = own.sync(await startSync(syncDocument(fake, { owner_id: 'geo-west' }), fake, { instanceId: 'west-1' }));
    const [ra, rb] = await Promise.all([firstRun(a.sync), firstRun(b.sync)]);

    const claims = fake.records().filter((r) => r.name.startsWith('_geosteer-'));
    const owners = [...new Set(claims.map((r) => /geosteer\/owner=([^,]+)/.exec(r.content)![1]))];
    expect(owners).toHaveLength(1); // the loser's claims are withdrawn
    const [winner, loser] = owners[0] === 'geo-east' ? [ra, rb] : [rb, ra];
    expect(claims).toHaveLength(10);
    expect(zoneView(fake.records())).toEqual(FIRST_SYNC);
    expect(fake.records().filter((r) => !r.name.startsWith('_geosteer-')).every((r) => r.comment === `geosteer owner=${owners[0]}`)).toBe(true);
    expect(winner.result).toBe('ok');
    expect(loser.result).toBe('conflict');
    expect(loser.plan?.conflicts).toHaveLength(10);
    expect(loser.plan?.conflicts.every((c) => c.reason.startsWith(`claimed first by geosteer owner "${owners[0]}"`))).toBe(true);
    expect(loser.plan?.deletes).toHaveLength(10); // its own losing claims
    // list, usage, claims, re-list, then the records (winner) or the withdrawal (loser)
    expect([winner.requests, loser.requests]).toEqual([5, 5]);

    // the winner's drain reaches Cloudflare; the loser's next runs cost one list and write nothing
    const winnerSync = winner === ra ? a : b;
    const loserSync = winner === ra ? b : a;
    winnerSync.source.set(inputOf(syncDocument(fake), undefined, ['taiwan']));
    const from = fake.requests.length;
    expect((await winnerSync.sync.syncNow())?.result).toBe('ok');
    expect(zoneView(fake.records()).filter((r) => r.startsWith('api.example.com'))).toEqual(['api.example.com A 198.51.100.30', 'api.example.com AAAA 2001:db8:3::30']);
    expect(requestsSince(fake, from)).toEqual(['GET /dns_records', 'POST /dns_records/batch']);
    const again = (await loserSync.sync.syncNow())!;
    expect([again.result, again.requests, again.plan?.deletes.length]).toEqual(['conflict', 1, 0]);
  });
});

describe('finding 10: names an ExternalDNS TXT registry claims', () => {
  it('are foreign in the a-<name> form and the legacy same-name form: nothing is created there', async () => {
    const typed = fake.seed({ name: 'a-tokyo.api.example.com', type: 'TXT', content: '"heritage=external-dns,external-dns/owner=k8s-tokyo,external-dns/resource=ingress/web/api"' });
    const legacy = fake.seed({ name: 'singapore.api.example.com', type: 'TXT', content: '"heritage=external-dns,external-dns/owner=default,external-dns/resource=service/edge/lb"' });
    const { sync } = own.sync(await startSync(syncDocument(fake), fake));
    const report = await firstRun(sync);
    expect(report.result).toBe('conflict');
    expect(report.plan?.conflicts.map((c) => `${c.name} ${c.type}: ${c.reason}`).sort()).toEqual([
      'singapore.api.example.com A: claimed by ExternalDNS owner "default" (TXT singapore.api.example.com)',
      'singapore.api.example.com AAAA: claimed by ExternalDNS owner "default" (TXT singapore.api.example.com)',
      'tokyo.api.example.com A: claimed by ExternalDNS owner "k8s-tokyo" (TXT a-tokyo.api.example.com)',
      'tokyo.api.example.com AAAA: claimed by ExternalDNS owner "k8s-tokyo" (TXT a-tokyo.api.example.com)',
    ]);
    expect(zoneView(fake.records())).toEqual(
      [...FIRST_SYNC.filter((r) => !r.startsWith('tokyo.') && !r.startsWith('singapore.')), 'a-tokyo.api.example.com TXT ' + typed.content, 'singapore.api.example.com TXT ' + legacy.content].sort(),
    );
    expect(fake.records().some((r) => r.name.endsWith('tokyo.api.example.com') && r.name.startsWith('_geosteer-'))).toBe(false);
    expect(report.requests).toBe(5);
  });
});

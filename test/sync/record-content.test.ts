import { describe, expect, it } from 'vitest';
import { canonicalContent, contentKey, txtText } from '../../src/sync/record-content.js';
import { startFakeCloudflare } from '../support/fake-cloudflare.js';
import { firstRun, inputOf, ownedPerTest, requestsSince, startSync, syncDocument, zoneView } from './sync-harness.js';

// Findings 7 and 8 of issue 12: content compared canonically; upsert-only still removes the
// addresses it put into a set it keeps.

const own = ownedPerTest();

describe('canonical content', () => {
  it('AAAA in RFC 5952 form, CNAME/NS lower case without the dot, TXT compared unquoted', () => {
    expect(canonicalContent('AAAA', '2001:DB8:1:0:0:0:0:10')).toBe('2001:db8:1::10');
    expect(canonicalContent('AAAA', '2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1');
    expect(canonicalContent('CNAME', 'LB.Example.NET.')).toBe('lb.example.net');
    expect(canonicalContent('A', '198.51.100.10')).toBe('198.51.100.10');
    expect(txtText('"heritage=geosteer" "x\\"y"')).toBe('heritage=geosteerx"y');
    expect(contentKey('TXT', '"v=spf1 -all"')).toBe(contentKey('TXT', 'v=spf1 -all'));
  });
});

describe('finding 7: a non-canonical IPv6 address in the config', () => {
  it('is written canonical once; the next runs write nothing', async () => {
    const f = own.fake(await startFakeCloudflare());
    const doc = syncDocument(f);
    doc.regions.taiwan.endpoints[1].address = '2001:DB8:1:0:0:0:0:10';
    const { sync } = own.sync(await startSync(doc, f));
    await firstRun(sync);
    expect(zoneView(f.records()).filter((r) => r.includes('AAAA 2001:db8:1::10'))).toEqual(['api.example.com AAAA 2001:db8:1::10', 'taiwan.api.example.com AAAA 2001:db8:1::10']);
    const from = f.requests.length;
    for (let i = 0; i < 3; i++) expect((await sync.syncNow())?.plan).toMatchObject({ creates: [], updates: [], deletes: [], noops: 10 });
    expect(requestsSince(f, from)).toEqual(Array(3).fill('GET /dns_records'));
  });
});

describe('finding 8: upsert-only and a drained region holding two addresses', () => {
  it("the drained region's addresses leave the failover record; only the new choice remains", async () => {
    const f = own.fake(await startFakeCloudflare());
    const doc = syncDocument(f, { policy: 'upsert-only' });
    doc.regions.taiwan.endpoints.push({ name: 'tw-v4b', address: '198.51.100.11' });
    const started = own.sync(await startSync(doc, f));
    const { sync } = started;
    await firstRun(sync);
    expect(zoneView(f.records()).filter((r) => r.startsWith('api.example.com A '))).toEqual(['api.example.com A 198.51.100.10', 'api.example.com A 198.51.100.11']);
    started.source.set(inputOf(doc, undefined, ['taiwan']));
    const from = f.requests.length;
    const report = (await sync.syncNow())!;
    expect(report.result).toBe('ok');
    expect(report.plan?.updates).toEqual(['api.example.com A 198.51.100.10 ttl=60 -> api.example.com A 198.51.100.30 ttl=60', 'api.example.com AAAA 2001:db8:1::10 ttl=60 -> api.example.com AAAA 2001:db8:3::30 ttl=60']);
    expect(report.plan?.deletes).toEqual(['api.example.com A 198.51.100.11 ttl=60']);
    expect(zoneView(f.records()).filter((r) => r.startsWith('api.example.com'))).toEqual(['api.example.com A 198.51.100.30', 'api.example.com AAAA 2001:db8:3::30']);
    expect(requestsSince(f, from)).toEqual(['GET /dns_records', 'POST /dns_records/batch']);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { capturingLogger } from '../support/capturing-logger.js';
import { adminDocument, READ, startAdmin, WRITE, type AdminHarness } from './admin-harness.js';

// Issue 15 item 2: every write is audited with who, from where, what, before/after, force
// and when; /v1/events pages through the log with filters and stays valid JSON whatever was
// written into it.

let h: AdminHarness;
afterEach(() => h.close());

type Method = 'GET' | 'PUT' | 'DELETE' | 'POST';
async function call(method: Method, url: string, payload?: object, headers: Record<string, string> = WRITE) {
  const r = await h.admin.inject({ method, url, headers, payload });
  return { status: r.statusCode, body: r.json(), raw: r.rawPayload };
}

const AT = 1_700_000_000_000; // the harness's service clock

describe('audit entries', () => {
  it('every write records token, address, action, before, after, force, reason and time', async () => {
    h = await startAdmin();
    await call('PUT', '/v1/regions/us-west/weight', { weight: 40, reason: 'canary' });
    await call('DELETE', '/v1/regions/us-west/weight?reason=canary%20done&force=true');
    await call('PUT', '/v1/regions/tokyo/drain', { reason: 'maintenance', force: true });
    await call('DELETE', '/v1/regions/tokyo/drain?reason=done');
    await call('POST', '/v1/reload', { reason: 'new endpoints' });
    const entries = h.events.list({ type: 'audit' }).reverse();
    expect(entries.map((e) => [e.detail!.action, e.region ?? null, e.detail!.force, e.detail!.reason])).toEqual([
      ['set weight', 'us-west', false, 'canary'],
      ['reset weight', 'us-west', true, 'canary done'],
      ['drain', 'tokyo', true, 'maintenance'],
      ['undrain', 'tokyo', false, 'done'],
      ['reload', null, false, 'new endpoints'],
    ]);
    for (const e of entries) {
      expect(e.at).toBe(AT);
      expect(e.detail).toMatchObject({ token: 'ops-writer', via: 'token', from: '127.0.0.1' });
      expect(e.detail).not.toHaveProperty('proxy');
    }
    expect(entries[0].detail).toMatchObject({ before: { weight: 100, weight_override: null }, after: { weight: 40, weight_override: 40 } });
    expect(entries[2].detail).toMatchObject({ before: { drained: false }, after: { drained: true, drain: { reason: 'maintenance', by: 'ops-writer', at: AT } } });
    // snapshot generations: the first, four changes, the reload
    expect(entries[4].detail).toMatchObject({ before: h.configPath, after: `${h.configPath} (generation 6)` });
    expect(entries[2].cause).toBe(`ops-writer from 127.0.0.1: drain tokyo: ${JSON.stringify(entries[2].detail!.before)} -> ${JSON.stringify(entries[2].detail!.after)} (forced) (maintenance)`);
  });

  it('X-Forwarded-For is ignored unless the peer is an admin.trusted_proxies proxy', async () => {
    h = await startAdmin();
    await call('PUT', '/v1/regions/us-west/weight', { weight: 40, reason: 'spoof' }, { ...WRITE, 'x-forwarded-for': '203.0.113.9' });
    expect(h.events.list({ type: 'audit' })[0].detail).toMatchObject({ from: '127.0.0.1' });
    await h.close();

    const doc = adminDocument();
    doc.admin.trusted_proxies = ['127.0.0.0/8'];
    h = await startAdmin(doc);
    await call('PUT', '/v1/regions/us-west/weight', { weight: 40, reason: 'through the ingress' }, { ...WRITE, 'x-forwarded-for': '198.51.100.7, 203.0.113.9' });
    // proxy-addr walks the list from the right: 203.0.113.9 is the first untrusted hop
    expect(h.events.list({ type: 'audit' })[0].detail).toMatchObject({ from: '203.0.113.9', proxy: '127.0.0.1' });
  });

  it('a refused write (409, 400, 401, 403) is not audited', async () => {
    h = await startAdmin();
    await call('PUT', '/v1/regions/tokyo/drain', { reason: 'strands JP' });
    await call('PUT', '/v1/regions/tokyo/drain', { reason: 'x', force: 'yes' });
    await call('PUT', '/v1/regions/tokyo/drain', { reason: 'x' }, READ);
    await call('PUT', '/v1/regions/tokyo/drain', { reason: 'x' }, {});
    expect(h.events.list({ type: 'audit' })).toEqual([]);
  });
});

describe('GET /v1/events', () => {
  it('pages newest first and filters by type, region and time', async () => {
    let now = AT;
    h = await startAdmin(undefined, { clock: () => now });
    for (const [region, w] of [['us-west', 10], ['singapore', 20], ['us-west', 30], ['singapore', 40], ['us-west', 50]] as const) {
      now += 60_000;
      await call('PUT', `/v1/regions/${region}/weight`, { weight: w, reason: `step ${w}` });
    }
    const weights = (r: { body: any }) => r.body.events.map((e: any) => e.detail.after.weight);
    const first = await call('GET', '/v1/events?type=audit&region=us-west&limit=2', undefined, READ);
    expect(weights(first)).toEqual([50, 30]);
    expect(first.body.next_before).toBe(first.body.events[1].id);
    const second = await call('GET', `/v1/events?type=audit&region=us-west&limit=2&before=${first.body.next_before}`, undefined, READ);
    expect(weights(second)).toEqual([10]);
    expect(second.body.next_before).toBeNull();
    // since: the third change happened at AT + 3 min
    const since = new Date(AT + 3 * 60_000).toISOString();
    expect(weights(await call('GET', `/v1/events?type=audit&since=${since}`, undefined, READ))).toEqual([50, 40, 30]);
    expect((await call('GET', '/v1/events?type=failover', undefined, READ)).body).toEqual({ events: [], next_before: null });
    expect((await call('GET', '/v1/events?before=999999', undefined, READ)).body.events).toHaveLength(5);
    const wrongCursor = await call('GET', '/v1/events?before=1700000000000-0', undefined, READ);
    expect(wrongCursor).toMatchObject({ status: 400, body: { error: 'BAD_REQUEST', message: 'before: expected a cursor from next_before of this instance\'s log (digits), got "1700000000000-0"' } });
  });

  it('stays valid JSON (UTF-8, parseable) whatever an event holds: lone surrogates, control characters', async () => {
    const { log, lines } = capturingLogger('info');
    h = await startAdmin(undefined, { log });
    // Text no admin request can bring in any more, but an alert label or a Kubernetes object still can.
    h.events.record({ type: 'source_error', region: 'tokyo', cause: 'label \ud800 broken \u0000\u001b[31m red \u2028', detail: { raw: '\udfff\u0007', nested: { s: '\ud83d' } } });
    const strict = new TextDecoder('utf-8', { fatal: true });
    for (const url of ['/v1/events', '/v1/regions/tokyo']) {
      const r = await call('GET', url, undefined, READ);
      const parsed = JSON.parse(strict.decode(r.raw));
      const event = (parsed.events as any[]).find((e) => e.type === 'source_error');
      expect(event.cause).toBe('label \ud800 broken \u0000\u001b[31m red \u2028');
      expect(event.detail).toEqual({ raw: '\udfff\u0007', nested: { s: '\ud83d' } });
    }
    const line = lines.find((l) => l.event?.type === 'source_error')!;
    expect(line.event.cause).toBe('label \ud800 broken \u0000\u001b[31m red \u2028');
  });
});

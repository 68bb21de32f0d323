import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseExposition, total } from '../metrics/exposition.js';
import { waitFor } from '../support/poll.js';
import { describeWithRedis, startRedis, type TestRedis } from '../support/redis-server.js';
import { adminDocument, READ, startAdmin, WRITE, type AdminHarness } from './admin-harness.js';

// Issue 15 item 8, the admin side: /readyz states the store's health (and, with
// state.readiness: gate, fails while it is not writable), the geosteer_state_store_*
// families follow status(), and POST /v1/state/reset ends a detected reset, audited.
// A real redis-server without persistence, killed and restarted empty.

let redis: TestRedis;
let prefixes = 0;
let h: AdminHarness | undefined;

async function start(readiness: 'report' | 'gate'): Promise<AdminHarness> {
  const doc = adminDocument();
  doc.state = { store: 'redis', url: redis.url, key_prefix: `admin${process.pid}-${++prefixes}`, instance_id: 'geo-a', reconnect_max_interval: '100ms', readiness };
  h = await startAdmin(doc, { clock: Date.now });
  return h;
}

async function get(url: string, headers: Record<string, string> = READ) {
  const r = await h!.admin.inject({ method: 'GET', url, headers });
  return { status: r.statusCode, body: r.headers['content-type']?.toString().includes('json') ? r.json() : r.body };
}

async function metric(name: string): Promise<number> {
  return total(parseExposition((await get('/metrics')).body).samples, name);
}

/** Kills Redis and starts it empty; resolves once the store has reconnected and seen the loss. */
async function restartEmpty(): Promise<void> {
  await redis.kill();
  await waitFor('the store notices Redis is gone', () => !h!.service.state.connected, 3000);
  await redis.restart();
  await waitFor('the reset is detected', () => h!.service.state.status().reset !== undefined, 5000);
}

describeWithRedis('the state store in /readyz, /metrics and POST /v1/state/reset', () => {
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('report (default): /readyz stays 200 while Redis is away and says so; the metrics follow', async () => {
    await start('report');
    expect((await get('/readyz', {})).body.state).toMatchObject({ kind: 'redis', readiness: 'report', connected: true, writable: true, reset: null, reconnects: 0 });
    expect(await metric('geosteer_state_store_up')).toBe(1);
    expect(await metric('geosteer_state_store_last_sync_timestamp_seconds')).toBe(h!.service.state.status().lastSyncAt! / 1000);
    await redis.kill();
    await waitFor('the store notices Redis is gone', () => !h!.service.state.connected, 3000);
    const away = await get('/readyz', {});
    expect(away.status).toBe(200);
    expect(away.body).toMatchObject({ ready: true, state: { connected: false, writable: false } });
    expect(await metric('geosteer_state_store_up')).toBe(0);
    expect(await metric('geosteer_state_store_writable')).toBe(0);
    const refused = await h!.admin.inject({ method: 'PUT', url: '/v1/regions/us-west/weight', headers: WRITE, payload: { weight: 10, reason: 'while away' } });
    expect(refused.statusCode).toBe(503);
    expect(await metric('geosteer_state_store_writes_refused_total')).toBe(1);
    await redis.restart();
    await waitFor('reconnected', () => h!.service.state.connected, 5000);
    expect(await metric('geosteer_state_store_reconnects_total')).toBe(1);
    expect(await metric('geosteer_state_store_up')).toBe(1);
  });

  it('gate: /readyz is 503 while the store is not writable (away, then back empty), 200 once it is', async () => {
    await start('gate');
    expect((await get('/readyz', {})).status).toBe(200);
    await redis.kill();
    await waitFor('the store notices Redis is gone', () => !h!.service.state.connected, 3000);
    const away = await get('/readyz', {});
    expect(away).toMatchObject({ status: 503, body: { ready: false, listeners: true, geoip: true, state: { readiness: 'gate', connected: false, writable: false } } });
    // this Redis keeps nothing: it comes back empty, a reset, still not writable
    await redis.restart();
    await waitFor('the reset is detected', () => h!.service.state.status().reset !== undefined, 5000);
    expect(await get('/readyz', {})).toMatchObject({ status: 503, body: { state: { connected: true, writable: false, reset: { reason: 'epoch_missing' } } } });
    expect((await h!.admin.inject({ method: 'POST', url: '/v1/state/reset', headers: WRITE, payload: { decision: 'adopt', reason: 'nothing to keep' } })).statusCode).toBe(200);
    expect((await get('/readyz', {})).status).toBe(200);
  });

  it('after Redis came back empty: reset pending in /readyz and metrics, writes refused, POST /v1/state/reset republishes (audited)', async () => {
    await start('gate');
    const drained = await h!.admin.inject({ method: 'PUT', url: '/v1/regions/singapore/drain', headers: WRITE, payload: { reason: 'before the loss' } });
    expect(drained.statusCode).toBe(200);
    await restartEmpty();
    const ready = await get('/readyz', {});
    expect(ready).toMatchObject({ status: 503, body: { state: { connected: true, writable: false, reset: { reason: 'epoch_missing', kept: { weights: 0, drains: 1 }, detected_at: expect.any(Number) } } } });
    expect(await metric('geosteer_state_store_reset_pending')).toBe(1);
    expect(await metric('geosteer_state_store_resets_detected_total')).toBe(1);
    expect((await h!.admin.inject({ method: 'PUT', url: '/v1/regions/us-west/weight', headers: WRITE, payload: { weight: 10, reason: 'during the reset' } })).statusCode).toBe(503);

    const bad = await h!.admin.inject({ method: 'POST', url: '/v1/state/reset', headers: WRITE, payload: { decision: 'restore', reason: 'x' } });
    expect(bad.json()).toEqual({ error: 'BAD_REQUEST', message: 'decision: expected one of "republish", "adopt", got "restore"' });
    expect((await h!.admin.inject({ method: 'POST', url: '/v1/state/reset', headers: READ, payload: { decision: 'republish', reason: 'x' } })).statusCode).toBe(403);

    const confirmed = await h!.admin.inject({ method: 'POST', url: '/v1/state/reset', headers: WRITE, payload: { decision: 'republish', reason: 'redis restarted without AOF' } });
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.json()).toMatchObject({ decision: 'republish', weights: 0, drains: 1, epoch: expect.any(String) });
    expect((await get('/readyz', {})).body).toMatchObject({ ready: true, state: { writable: true, reset: null } });
    expect(await metric('geosteer_state_store_reset_pending')).toBe(0);
    const [audit, drain] = h!.events.list({ type: 'audit' });
    expect(drain).toMatchObject({ region: 'singapore', detail: { action: 'drain' } });
    expect(audit.detail).toMatchObject({ token: 'ops-writer', action: 'state reset', force: false, reason: 'redis restarted without AOF', before: { reason: 'epoch_missing', kept: { weights: 0, drains: 1 } }, after: { decision: 'republish', drains: 1 } });
    // nothing pending any more: a second confirm is a conflict, and not audited
    const again = await h!.admin.inject({ method: 'POST', url: '/v1/state/reset', headers: WRITE, payload: { decision: 'adopt', reason: 'again' } });
    expect(again.statusCode).toBe(409);
    expect(h!.events.list({ type: 'audit' })).toHaveLength(2);
    expect((await h!.admin.inject({ method: 'PUT', url: '/v1/regions/us-west/weight', headers: WRITE, payload: { weight: 10, reason: 'after the confirm' } })).statusCode).toBe(200);
  });
});

describe('POST /v1/state/reset with the memory store', () => {
  it('there is never a reset to confirm: 409, nothing audited', async () => {
    h = await startAdmin();
    const r = await h.admin.inject({ method: 'POST', url: '/v1/state/reset', headers: WRITE, payload: { decision: 'adopt', reason: 'curious' } });
    expect(r.statusCode).toBe(409);
    expect(r.json().error).toBe('CONFLICT');
    expect(h.events.list({ type: 'audit' })).toEqual([]);
    await h.close();
    h = undefined;
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ask, buildQuery, sendUdp } from '../support/dns-client.js';
import { READ, startAdmin, WRITE, type AdminHarness } from '../admin/admin-harness.js';
import { parseExposition, total, type Sample } from './exposition.js';

let h: AdminHarness;
let samples: Sample[];
let types: Map<string, string>;

beforeAll(async () => {
  h = await startAdmin(undefined, { timingSample: 1, defaultMetrics: true });
  // 3 Japan, 2 Taiwan (one repeated prefix: a cache hit), 1 US over TCP, NXDOMAIN, REFUSED, MX, a malformed packet
  for (const ecs of ['202.32.0.0/24', '202.32.0.0/24', '202.32.0.0/24', '1.34.5.0/24', '1.34.5.0/24']) await ask(h.port, { name: 'api.example.com', type: 'A', ecs });
  await ask(h.port, { name: 'api.example.com', type: 'AAAA', ecs: '8.8.8.0/24', transport: 'tcp' });
  await ask(h.port, { name: 'nothing.example.com', type: 'A' });
  await ask(h.port, { name: 'example.org', type: 'A' });
  await ask(h.port, { name: 'example.com', type: 'MX' });
  const broken = buildQuery({ name: 'api.example.com' }).subarray(0, 14);
  await sendUdp(h.port, broken);
  // a drain that moves Japan to taiwan: a failover event
  await h.admin.inject({ method: 'PUT', url: '/v1/regions/tokyo/drain', headers: WRITE, payload: { reason: 'test', force: true } });
  await h.admin.inject({ method: 'PUT', url: '/v1/regions/us-west/weight', headers: WRITE, payload: { weight: 25, reason: 'test' } });
  const r = await h.admin.inject({ method: 'GET', url: '/metrics', headers: READ });
  expect(r.headers['content-type']).toContain('text/plain');
  ({ samples, types } = parseExposition(r.body));
});
afterAll(() => h.close());

describe('/metrics after DNS traffic', () => {
  it('every family named in the issue is there, with its type', () => {
    const expected: [string, string][] = [
      ['geosteer_dns_queries_total', 'counter'],
      ['geosteer_dns_answers_total', 'counter'],
      ['geosteer_geo_lookups_total', 'counter'],
      ['geosteer_dns_query_duration_seconds', 'histogram'],
      ['geosteer_endpoint_up', 'gauge'],
      ['geosteer_region_up', 'gauge'],
      ['geosteer_region_weight', 'gauge'],
      ['geosteer_failover_events_total', 'counter'],
      ['geosteer_health_check_duration_seconds', 'histogram'],
      ['geosteer_config_reloads_total', 'counter'],
      ['geosteer_geoip_database_build_timestamp_seconds', 'gauge'],
      ['geosteer_geoip_database_generation', 'gauge'],
      ['geosteer_snapshot_compiles_total', 'counter'],
      ['geosteer_snapshot_generation', 'gauge'],
      ['geosteer_build_info', 'gauge'],
      ['geosteer_alertmanager_posts_total', 'counter'],
      ['geosteer_state_store_up', 'gauge'],
      ['geosteer_state_store_writable', 'gauge'],
      ['geosteer_state_store_reset_pending', 'gauge'],
      ['geosteer_state_store_reconnects_total', 'counter'],
      ['geosteer_state_store_resets_detected_total', 'counter'],
      ['geosteer_state_store_writes_refused_total', 'counter'],
      ['geosteer_state_store_last_sync_timestamp_seconds', 'gauge'],
      ['geosteer_state_store_connected_since_timestamp_seconds', 'gauge'],
      ['process_cpu_seconds_total', 'counter'],
      ['nodejs_eventloop_lag_seconds', 'gauge'],
    ];
    for (const [name, type] of expected) expect(types.get(name), name).toBe(type);
  });

  it('counts queries by zone, qtype, rcode and transport', () => {
    expect(total(samples, 'geosteer_dns_queries_total', { zone: 'example.com', qtype: 'A', rcode: 'NOERROR', transport: 'udp' })).toBe(5);
    expect(total(samples, 'geosteer_dns_queries_total', { zone: 'example.com', qtype: 'AAAA', rcode: 'NOERROR', transport: 'tcp' })).toBe(1);
    expect(total(samples, 'geosteer_dns_queries_total', { zone: 'example.com', qtype: 'A', rcode: 'NXDOMAIN' })).toBe(1);
    expect(total(samples, 'geosteer_dns_queries_total', { zone: '(none)', rcode: 'REFUSED' })).toBe(1);
    expect(total(samples, 'geosteer_dns_queries_total', { qtype: 'MX', rcode: 'NOERROR' })).toBe(1);
    expect(total(samples, 'geosteer_dns_queries_total', { rcode: 'FORMERR' })).toBe(1);
    expect(total(samples, 'geosteer_dns_queries_total')).toBe(10);
  });

  it('counts steered answers by name and region', () => {
    expect(total(samples, 'geosteer_dns_answers_total', { name: 'api.example.com', region: 'tokyo' })).toBe(3);
    expect(total(samples, 'geosteer_dns_answers_total', { name: 'api.example.com', region: 'taiwan' })).toBe(2);
    expect(total(samples, 'geosteer_dns_answers_total', { name: 'api.example.com', region: 'us-west' })).toBe(1);
  });

  it('geo lookups: hits and misses add up to the located queries', () => {
    const hit = total(samples, 'geosteer_geo_lookups_total', { result: 'hit' });
    const miss = total(samples, 'geosteer_geo_lookups_total', { result: 'miss' });
    expect(hit).toBe(h.service.control.geoStats.hits);
    expect(miss).toBe(h.service.control.geoStats.misses);
    expect(miss).toBe(3); // 202.32.0.0/24, 1.34.5.0/24, 8.8.8.0/24
    expect(hit).toBe(3);
  });

  it('query duration: sampled every query here, all under a second', () => {
    const count = total(samples, 'geosteer_dns_query_duration_seconds_count');
    expect(count).toBe(10); // every packet handled, the FORMERR one included
    expect(total(samples, 'geosteer_dns_query_duration_seconds_bucket', { le: '0.01' })).toBeGreaterThan(0);
    expect(total(samples, 'geosteer_dns_query_duration_seconds_sum')).toBeLessThan(1);
  });

  it('region and endpoint gauges follow the state: drain, weight, health', () => {
    expect(total(samples, 'geosteer_region_up', { region: 'tokyo' })).toBe(1);
    expect(total(samples, 'geosteer_region_drained', { region: 'tokyo' })).toBe(1);
    expect(total(samples, 'geosteer_region_weight', { region: 'us-west' })).toBe(25);
    expect(total(samples, 'geosteer_region_weight', { region: 'taiwan' })).toBe(100);
    expect(samples.filter((s) => s.name === 'geosteer_endpoint_up')).toHaveLength(8);
    expect(total(samples, 'geosteer_endpoint_up', { region: 'tokyo', endpoint: 'jp-v4' })).toBe(1);
  });

  it('failover events from the event log, reloads, GeoIP build time, compiles, build info', () => {
    // one drain moved one rule (JP,KR): one failover
    expect(total(samples, 'geosteer_failover_events_total')).toBe(1);
    expect(total(samples, 'geosteer_failover_events_total', { name: 'api.example.com', from: 'tokyo', to: 'taiwan' })).toBe(1);
    // the first compile, the drain, the weight change: one each
    expect(total(samples, 'geosteer_snapshot_compiles_total')).toBe(3);
    expect(total(samples, 'geosteer_snapshot_generation')).toBe(3);
    expect(total(samples, 'geosteer_geoip_database_generation')).toBe(1);
    expect(samples.filter((s) => s.name === 'geosteer_build_info')).toEqual([{ name: 'geosteer_build_info', labels: { version: '0.1.0', node: process.version, udp: h.service.udpBackends()[0].kind }, value: 1 }]);
    expect(total(samples, 'geosteer_config_reloads_total', { result: 'success' })).toBe(0);
    expect(total(samples, 'geosteer_config_reloads_total', { result: 'failure' })).toBe(0);
    const built = total(samples, 'geosteer_geoip_database_build_timestamp_seconds');
    expect(built).toBe(h.snapshot().inputs.geo.db.info.buildEpochSeconds);
    expect(built).toBeGreaterThan(Date.UTC(2020, 0, 1) / 1000);
  });

  it('the state store families come from its status (memory: always up and writable)', () => {
    const status = h.service.state.status();
    expect(total(samples, 'geosteer_state_store_up')).toBe(1);
    expect(total(samples, 'geosteer_state_store_writable')).toBe(1);
    expect(total(samples, 'geosteer_state_store_reset_pending')).toBe(0);
    expect(total(samples, 'geosteer_state_store_reconnects_total')).toBe(0);
    expect(total(samples, 'geosteer_state_store_resets_detected_total')).toBe(0);
    expect(total(samples, 'geosteer_state_store_writes_refused_total')).toBe(0);
    expect(total(samples, 'geosteer_state_store_last_sync_timestamp_seconds')).toBe(status.lastSyncAt! / 1000);
    expect(total(samples, 'geosteer_state_store_connected_since_timestamp_seconds')).toBe(status.since / 1000);
  });

  it('Alertmanager posts: every result is there from the start, at 0 without posts', () => {
    const results = samples.filter((s) => s.name === 'geosteer_alertmanager_posts_total').map((s) => [s.labels.result, s.value]);
    expect(results).toEqual([['accepted', 0], ['unauthorized', 0], ['too_large', 0], ['invalid', 0], ['disabled', 0]]);
  });
});

import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { SyncMetrics } from '../../src/metrics/sync-metrics.js';

// The sync's families follow the project's naming rules (as test/metrics/metric-names.test.ts
// checks for createMetrics): geosteer_<area>_<thing>_<unit>, counters end in _total.

describe('SyncMetrics names', () => {
  const registry = new Registry();
  new SyncMetrics(registry);
  const all = registry.getMetricsAsArray() as unknown as { name: string; help: string; type: string; labelNames: string[] }[];

  it('registers every sync and source family', () => {
    expect(all.map((m) => m.name).sort()).toEqual([
      'geosteer_source_endpoints',
      'geosteer_source_errors_total',
      'geosteer_sync_conflicts',
      'geosteer_sync_last_success_timestamp_seconds',
      'geosteer_sync_next_attempt_timestamp_seconds',
      'geosteer_sync_ratelimit_wait_seconds_total',
      'geosteer_sync_ratelimit_waits_total',
      'geosteer_sync_records_applied_total',
      'geosteer_sync_records_failed_total',
      'geosteer_sync_records_planned_total',
      'geosteer_sync_refusals_total',
      'geosteer_sync_requests_total',
      'geosteer_sync_runs_total',
      'geosteer_sync_writer',
    ]);
  });

  for (const m of all) {
    it(`${m.name} follows the conventions`, () => {
      expect(m.name).toMatch(/^geosteer_[a-z][a-z0-9]*(_[a-z0-9]+)+$/);
      expect(m.help.length).toBeGreaterThan(10);
      if (m.type === 'counter') expect(m.name).toMatch(/_total$/);
      else expect(m.name).not.toMatch(/_total$/);
      if (/timestamp|wait_seconds/.test(m.name)) expect(m.name).toMatch(/_seconds(_total)?$/);
      for (const l of m.labelNames) expect(l).toMatch(/^[a-z][a-z0-9_]*$/);
    });
  }
});

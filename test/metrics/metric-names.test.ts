import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/metrics/create-metrics.js';

// Prometheus naming conventions (https://prometheus.io/docs/practices/naming/) as a test:
// geosteer_<area>_<thing>_<unit>, counters end in _total, base units only, snake_case labels.
const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const OURS = /^geosteer_[a-z][a-z0-9]*(_[a-z0-9]+)+$/;
const NON_BASE_UNITS = /_(milliseconds|microseconds|nanoseconds|minutes|hours|days|kilobytes|megabytes|percent)(_|$)/;

describe('metric names', async () => {
  const metrics = createMetrics();
  // metric objects (not the JSON dump) carry labelNames
  const all = metrics.registry.getMetricsAsArray() as unknown as { name: string; help: string; type: string; labelNames: string[] }[];
  const ours = all.filter((m) => m.name.startsWith('geosteer_'));

  it('has geosteer metrics and the default process metrics', () => {
    expect(ours.length).toBeGreaterThanOrEqual(11);
    expect(ours.find((m) => m.name === 'geosteer_dns_queries_total')?.labelNames).toEqual(['zone', 'qtype', 'rcode', 'transport']);
    expect(all.some((m) => m.name === 'process_cpu_seconds_total')).toBe(true);
  });

  for (const m of ours) {
    it(`${m.name} follows the conventions`, () => {
      expect(m.name).toMatch(NAME);
      expect(m.name).toMatch(OURS);
      expect(m.name).not.toMatch(NON_BASE_UNITS);
      expect(m.help.length).toBeGreaterThan(10);
      if (m.type === 'counter') expect(m.name).toMatch(/_total$/);
      else expect(m.name).not.toMatch(/_total$/);
      if (m.type === 'histogram' || m.type === 'summary') expect(m.name).toMatch(/_(seconds|bytes)$/);
      if (/duration|latency|time/.test(m.name)) expect(m.name).toMatch(/_seconds(_total)?$/);
      const labels = m.labelNames;
      expect(Array.isArray(labels)).toBe(true);
      for (const l of labels) {
        expect(l).toMatch(LABEL);
        expect(l.startsWith('__')).toBe(false);
        expect(['le', 'quantile']).not.toContain(l);
      }
    });
  }
});

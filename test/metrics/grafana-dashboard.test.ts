import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/metrics/create-metrics.js';

const dashboard = JSON.parse(readFileSync('config/grafana/geosteer-dashboard.json', 'utf8'));
const exprs: { panel: string; expr: string }[] = dashboard.panels.flatMap((p: any) => p.targets.map((t: any) => ({ panel: p.title, expr: t.expr })));
// Aggregations may be written `sum by (x) (...)`, so they are not always followed by "(".
const FUNCTIONS_AND_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'offset', 'bool', 'inf', 'nan', 'sum', 'min', 'max', 'avg', 'count', 'group', 'stddev', 'stdvar', 'topk', 'bottomk', 'quantile', 'count_values']);

/** Metric names a PromQL expression selects: identifiers that are not functions, keywords, labels or durations. */
export function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""') // label values
    .replace(/\{[^}]*\}/g, '') // label matchers
    .replace(/\[[^\]]*\]/g, '') // range selectors, [$__rate_interval]
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '$1') // grouping label lists
    .replace(/\$\w+/g, ''); // dashboard variables
  const names: string[] = [];
  for (const m of stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const id = m[0];
    const before = stripped[m.index - 1];
    if (before !== undefined && /[0-9.]/.test(before)) continue; // the "e9" of 1e9
    if (FUNCTIONS_AND_KEYWORDS.has(id)) continue;
    if (/^\s*\(/.test(stripped.slice(m.index + id.length))) continue; // a function call
    names.push(id);
  }
  return names;
}

describe('config/grafana/geosteer-dashboard.json', () => {
  const registered = new Set((createMetrics().registry.getMetricsAsArray() as unknown as { name: string; type: string }[]).flatMap((m) =>
    m.type === 'histogram' ? [`${m.name}_bucket`, `${m.name}_count`, `${m.name}_sum`] : [m.name],
  ));

  it('the PromQL name extractor finds names and skips functions, labels and durations', () => {
    expect(metricNamesIn('sum by (region) (rate(geosteer_dns_answers_total{name=~"$name"}[5m])) / ignoring(region) group_left sum(rate(x_total[1m]))')).toEqual(['geosteer_dns_answers_total', 'x_total']);
    expect(metricNamesIn('time() - a_seconds')).toEqual(['a_seconds']);
    expect(metricNamesIn('process_resident_memory_bytes / 1e9')).toEqual(['process_resident_memory_bytes']);
  });

  it('every expression uses metric names geosteer exports', () => {
    expect(exprs.length).toBeGreaterThan(10);
    for (const { panel, expr } of exprs) {
      const names = metricNamesIn(expr);
      expect(names.length, `${panel}: ${expr}`).toBeGreaterThan(0);
      for (const n of names) expect(registered.has(n), `${panel}: ${n} in ${expr}`).toBe(true);
    }
  });

  it('has the panels the operators asked for', () => {
    const titles = dashboard.panels.map((p: any) => p.title).join('\n');
    for (const t of [/queries per second by region/i, /answers by region over time/i, /GeoIP cache hit ratio/, /Region health timeline/, /Failover events/, /latency \(p50, p90, p99\)/]) expect(titles).toMatch(t);
  });
});

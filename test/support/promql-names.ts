import { createMetrics } from '../../src/metrics/create-metrics.js';
import { SyncMetrics } from '../../src/metrics/sync-metrics.js';

// For the tests that check dashboards and alert rules use only metrics geosteer exports: the
// names a PromQL expression selects, and the series names geosteer's registry exports.

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

/** Every series name geosteer exports: the metrics registry plus the sync and source metrics, histograms with their _bucket, _count and _sum. */
export function exportedSeriesNames(): Set<string> {
  const { registry } = createMetrics();
  new SyncMetrics(registry);
  return new Set(
    (registry.getMetricsAsArray() as unknown as { name: string; type: string }[]).flatMap((m) =>
      m.type === 'histogram' ? [`${m.name}_bucket`, `${m.name}_count`, `${m.name}_sum`] : [m.name],
    ),
  );
}

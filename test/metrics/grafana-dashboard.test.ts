import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { exportedSeriesNames, metricNamesIn } from '../support/promql-names.js';

const dashboard = JSON.parse(readFileSync('config/grafana/geosteer-dashboard.json', 'utf8'));
const exprs: { panel: string; expr: string }[] = dashboard.panels.flatMap((p: any) => p.targets.map((t: any) => ({ panel: p.title, expr: t.expr })));

describe('config/grafana/geosteer-dashboard.json', () => {
  const registered = exportedSeriesNames();

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

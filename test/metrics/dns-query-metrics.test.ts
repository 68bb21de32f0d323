import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/metrics/create-metrics.js';
import { timedHandler } from '../../src/metrics/query-timing.js';
import { parseExposition, total } from './exposition.js';

async function samplesOf(metrics: ReturnType<typeof createMetrics>) {
  return parseExposition((await metrics.render()).body).samples;
}

describe('DnsQueryMetrics', () => {
  it('labels unknown qtypes "other", BADVERS by name, and counts fail-open answers', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const q = metrics.queries;
    q.answered('udp', 4242, 0, 'example.com', undefined);
    q.answered('udp', 1, 16, 'example.com', undefined);
    q.answered('tcp', 28, 0, 'example.com', { name: 'api.example.com', region: 'tokyo', failOpen: true });
    q.answered('tcp', 28, 0, 'example.com', { name: 'api.example.com', region: undefined, failOpen: false });
    const s = await samplesOf(metrics);
    expect(total(s, 'geosteer_dns_queries_total', { qtype: 'other', rcode: 'NOERROR', transport: 'udp' })).toBe(1);
    expect(total(s, 'geosteer_dns_queries_total', { qtype: 'A', rcode: 'BADVERS' })).toBe(1);
    expect(total(s, 'geosteer_dns_queries_total', { qtype: 'AAAA', transport: 'tcp' })).toBe(2);
    expect(total(s, 'geosteer_dns_answers_total', { region: '(none)' })).toBe(1);
    expect(total(s, 'geosteer_dns_fail_open_answers_total', { name: 'api.example.com' })).toBe(1);
  });

  it('reports running totals on every scrape, neither doubled nor lost between scrapes', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const q = metrics.queries;
    const steered = { name: 'api.example.com', region: 'tokyo', failOpen: true };
    for (let i = 0; i < 3; i++) q.answered('udp', 1, 0, 'example.com', steered);
    const first = await samplesOf(metrics);
    const again = await samplesOf(metrics);
    for (const s of [first, again]) {
      expect(total(s, 'geosteer_dns_queries_total', { zone: 'example.com', qtype: 'A' })).toBe(3);
      expect(total(s, 'geosteer_dns_answers_total', { name: 'api.example.com', region: 'tokyo' })).toBe(3);
      expect(total(s, 'geosteer_dns_fail_open_answers_total', { name: 'api.example.com' })).toBe(3);
    }
    q.answered('udp', 1, 0, 'example.com', { ...steered, failOpen: false });
    q.answered('udp', 1, 3, undefined, undefined);
    const later = await samplesOf(metrics);
    expect(total(later, 'geosteer_dns_queries_total', { zone: 'example.com', qtype: 'A' })).toBe(4);
    expect(total(later, 'geosteer_dns_queries_total', { zone: '(none)', rcode: 'NXDOMAIN' })).toBe(1);
    expect(total(later, 'geosteer_dns_answers_total', { region: 'tokyo' })).toBe(4);
    expect(total(later, 'geosteer_dns_fail_open_answers_total')).toBe(3);
  });

  it('timedHandler times 1 in N calls, passes every call and result through, and leaves the handler as it was', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const reply = Buffer.from('ok');
    const calls: string[] = [];
    const handler = { handle: (_m: Buffer, t: 'udp' | 'tcp', addr: string) => (calls.push(`${t} ${addr}`), reply), handleInto: () => (calls.push('into'), 7) };
    const original = handler.handle;
    const histogram = metrics.registry.getSingleMetric('geosteer_dns_query_duration_seconds') as never;
    const timed = timedHandler(handler, histogram, 4);
    for (let i = 0; i < 10; i++) expect(timed.handle(Buffer.alloc(0), i % 2 ? 'tcp' : 'udp', '127.0.0.1')).toBe(reply);
    expect(calls).toEqual(Array.from({ length: 10 }, (_, i) => `${i % 2 ? 'tcp' : 'udp'} 127.0.0.1`));
    const s = await samplesOf(metrics);
    expect(total(s, 'geosteer_dns_query_duration_seconds_count')).toBe(2); // calls 4 and 8
    expect(total(s, 'geosteer_dns_query_duration_seconds_count', { transport: 'tcp' })).toBe(2); // both odd: tcp
    // the batch path shares the countdown and times into the UDP series
    for (let i = 0; i < 4; i++) expect(timed.handleInto(Buffer.alloc(0), 0, { family: 4, bytes: new Uint8Array(4), offset: 0 }, Buffer.alloc(1))).toBe(7);
    const after = await samplesOf(metrics);
    expect(total(after, 'geosteer_dns_query_duration_seconds_count', { transport: 'udp' })).toBe(1);
    expect(total(after, 'geosteer_dns_query_duration_seconds_count')).toBe(3);
    expect(handler.handle).toBe(original);
    expect(() => timedHandler(handler, histogram, 0)).toThrow(/integer >= 1/);
  });
});

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse } from 'yaml';
import { digBatch, type DigReply } from '../support/dig-batch.js';
import { describeWithTool } from '../support/system-tool.js';
import { startServer, type TestServer } from '../support/test-server.js';

// The resolution example of src/dns/README.md, served as written and asked by dig from a
// client in Japan: each row of the README's table is the answer it documents.

const README = readFileSync('src/dns/README.md', 'utf8');
const section = README.slice(README.indexOf('### Example'), README.indexOf('## Name compression'));
const config = parse(/```yaml\n([\s\S]*?)```/.exec(section)![1]) as Record<string, unknown>;

interface Row {
  readonly name: string;
  readonly type: string;
  readonly status: string;
  readonly answer: string[];
  /** Records the row names in parentheses: authority-section records. */
  readonly authority: string[];
  readonly soaInAuthority: boolean;
  readonly referral: boolean;
}

const rows: Row[] = [...section.matchAll(/^\| `(\S+) (\w+)` \| (\w+) \| (.*) \|$/gm)].map(([, name, type, status, cell]) => {
  const paren = cell.indexOf('(');
  const quoted = (text: string) => [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
  return {
    name,
    type,
    status,
    answer: quoted(paren < 0 ? cell : cell.slice(0, paren)),
    authority: paren < 0 ? [] : quoted(cell.slice(paren)),
    soaInAuthority: cell.includes('the SOA in authority'),
    referral: cell.includes('a referral'),
  };
});

describeWithTool('the resolution example of src/dns/README.md', { command: 'dig', versionArgs: ['-v'], apt: 'dnsutils' }, () => {
  let server: TestServer;
  let replies: DigReply[];
  beforeAll(async () => {
    server = await startServer(config);
    replies = await digBatch(server.port, rows.map((r) => ({ name: r.name, type: r.type, options: ['+subnet=202.32.0.0/24'] })), 'udp');
  });
  afterAll(() => server.close());

  it('has its table', () => {
    expect(rows.map((r) => `${r.name} ${r.type}`)).toContain('www.example.com A');
    expect(rows).toHaveLength(10);
  });

  rows.forEach((row, i) => {
    it(`${row.name} ${row.type}`, () => {
      const r = replies[i];
      expect([r.status, r.aa]).toEqual([row.status, !row.referral]);
      expect(r.answer).toEqual([...row.answer].sort());
      for (const record of row.authority) expect(r.authority).toContain(record);
      if (row.soaInAuthority) expect(r.authority.map((a) => a.split(' ').slice(0, 4).join(' '))).toEqual(['example.com. 60 IN SOA']);
      if (row.referral) expect(r.additional).toEqual(['ns.sub.example.com. 3600 IN A 192.0.2.54']);
    });
  });
});

import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { ConfigError } from '../../src/shared/errors.js';
import { exampleDocument, loadDocument, configProblems } from '../support/test-server.js';

const run = promisify(execFile);

const problemsAfter = configProblems;

describe('the example config', () => {
  it('is valid', () => {
    expect(problemsAfter(() => {})).toEqual([]);
  });

  it('takes a steered wildcard beside the steered name (RFC 4592)', () => {
    expect(problemsAfter((d) => d.names.push({ ...d.names[0], name: '*.API.example.com.' }))).toEqual([]);
    expect(loadDocument({ ...exampleDocument(), names: [{ name: '*.api.example.com', default: ['tokyo'] }] }).model.policies.map((p) => p.name)).toEqual(['*.api.example.com']);
  });
});

describe('each bad config gets its own named error', () => {
  const table: [string, (d: Record<string, any>) => void, string][] = [
    ['unknown country code', (d) => (d.names[0].rules[0].countries = ['TW', 'XX']), 'names[0].rules[0].countries[1]: unknown country code "XX"'],
    ['unknown continent code', (d) => (d.names[0].rules[3].continents = ['NAM']), 'names[0].rules[3].continents[0]: unknown continent code "NAM"'],
    ['unknown region in a tier', (d) => (d.names[0].rules[0].tiers = ['taiwan', 'osaka']), 'names[0].rules[0].tiers[1]: unknown region "osaka"'],
    ['unknown region in a group', (d) => (d.names[0].rules[1].tiers[0] = { group: { singapore: 4, jakarta: 6 } }), 'names[0].rules[1].tiers[0].group.jakarta: unknown region "jakarta"'],
    ['duplicate endpoint', (d) => d.regions.tokyo.endpoints.push({ name: 'jp-v4', address: '198.51.100.31' }), 'regions.tokyo.endpoints[2]: duplicate endpoint jp-v4'],
    ['duplicate endpoint address', (d) => d.regions.tokyo.endpoints.push({ name: 'jp-again', address: '198.51.100.30' }), 'regions.tokyo.endpoints[2].address: duplicate endpoint address 198.51.100.30'],
    ['weight out of range', (d) => (d.regions.tokyo.weight = 150), 'regions.tokyo.weight: expected number to be <=100, got 150'],
    ['weight not a number', (d) => (d.regions.tokyo.weight = 'heavy'), 'regions.tokyo.weight: expected number, got "heavy"'],
    ['name outside every zone', (d) => (d.names[0].name = 'api.example.net'), 'names[0].name: api.example.net is outside every zone'],
    ['country in two rules', (d) => d.names[0].rules[2].countries.push('TW'), 'names[0].rules[2].countries[2]: country TW is already in rules[0]'],
    ['unknown key', (d) => (d.regions.tokyo.wieght = 5), 'regions.tokyo: unknown key "wieght"'],
    ['bad endpoint address', (d) => (d.regions.tokyo.endpoints[0].address = '198.51.100.300'), 'regions.tokyo.endpoints[0].address: expected an IPv4 or IPv6 address, got "198.51.100.300"'],
    ['bad listen address', (d) => (d.dns.listen = ['127.0.0.1']), 'dns.listen[0]: expected host:port or [ipv6]:port'],
    ['record outside its zone', (d) => d.zones[0].records.push({ name: 'x.example.org.', type: 'A', value: '192.0.2.1' }), 'zones[0].records[9].name: x.example.org is outside zone example.com'],
    ['bad record value', (d) => d.zones[0].records.push({ name: 'x', type: 'MX', value: 'mail.example.com' }), 'zones[0].records[9].value: expected "PREFERENCE EXCHANGE"'],
    ['CNAME beside other data', (d) => d.zones[0].records.push({ name: 'www', type: 'TXT', value: 'hi' }), 'zones[0].records[9]: www.example.com already has a CNAME'],
    ['steered name with a static A', (d) => d.zones[0].records.push({ name: 'api', type: 'A', value: '192.0.2.9' }), 'names[0].name: api.example.com also has a static A record'],
    ['region without endpoints', (d) => (d.regions.tokyo.endpoints = []), 'regions.tokyo: a region needs endpoints or a cname'],
    ['in-zone NS without glue', (d) => (d.zones[0].ns = ['ns1.example.com', 'ns9.example.com']), 'zones[0].ns[1]: name server ns9.example.com is inside the zone but has no A or AAAA record'],
    ['rule without countries or continents', (d) => (d.names[0].rules[0] = { tiers: ['taiwan'] }), 'names[0].rules[0]: a rule needs countries or continents'],
    ['bad duration', (d) => (d.geoip = { reload_check_interval: 'soon' }), 'geoip.reload_check_interval: expected a duration like 500ms, 10s, 2m or 1h, got "soon"'],
    ['region twice in one failover list', (d) => (d.names[0].default = ['taiwan', 'taiwan']), 'names[0].default[1]: region taiwan already appears in an earlier tier'],
    ['wildcard not leftmost in a steered name', (d) => (d.names[0].name = 'api.*.example.com'), 'names[0].name: "*" in "api.*.example.com"; a wildcard is a whole leftmost label like *.example.com (RFC 4592)'],
    ['steered wildcard with a static A', (d) => { d.names[0].name = '*.api.example.com'; d.zones[0].records.push({ name: '*.api', type: 'A', value: '192.0.2.9' }); }, 'names[0].name: *.api.example.com also has a static A record'],
    [
      'steered name below a delegation',
      (d) => { d.names[0].name = 'api.sub.example.com'; d.zones[0].records.push({ name: 'sub', type: 'NS', value: 'ns.example.net.' }); },
      'names[0].name: api.sub.example.com is at or below sub.example.com, which is delegated (NS records below the zone apex); the child zone\'s servers answer for it',
    ],
    [
      'steered wildcard at a delegation',
      (d) => { d.names[0].name = '*.sub.example.com'; d.zones[0].records.push({ name: 'sub', type: 'NS', value: 'ns.example.net.' }); },
      'names[0].name: *.sub.example.com is at or below sub.example.com, which is delegated',
    ],
  ];
  for (const [label, edit, expected] of table) {
    it(label, () => {
      const problems = problemsAfter(edit);
      expect(problems.some((p) => p.startsWith(expected)), `problems were:\n${problems.join('\n')}`).toBe(true);
    });
  }

  it('collects every problem, not just the first', () => {
    const problems = problemsAfter((d) => {
      d.regions.tokyo.weight = 150;
      d.names[0].rules[0].countries = ['XX'];
      d.names[0].default = ['nowhere'];
    });
    expect(problems.length).toBeGreaterThanOrEqual(1);
    // structural problems are reported before cross-checks run; fix them and the rest appear
    const crossChecks = problemsAfter((d) => {
      d.names[0].rules[0].countries = ['XX'];
      d.names[0].default = ['nowhere'];
    });
    expect(crossChecks).toHaveLength(2);
  });

  it('YAML syntax errors name the line', () => {
    expect(() => parseConfigText('zones: [\n  foo: : bar', 'bad.yaml')).toThrow(/bad\.yaml: .*YAML/s);
  });

  it('messages start with the file name', () => {
    try {
      parseConfigText('zones: []\nregions: {}\n', 'prod.yaml');
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).toMatch(/^prod\.yaml: /);
      expect((err as ConfigError).problems[0]).toMatch(/^zones: expected array to have >=1 items/);
    }
  });
});

describe('CLI', () => {
  const cli = ['dist/cli.js'];
  it('check-config: exit 0 on the example', async () => {
    const { stdout } = await run('node', [...cli, 'check-config', 'config/geosteer.example.yaml']);
    expect(stdout).toContain('OK');
  });

  it('check-config and serve: exit 2 with every problem on a bad file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'geosteer-cfg-'));
    const file = join(dir, 'bad.yaml');
    const doc = exampleDocument();
    doc.names[0].rules[0].countries = ['XX'];
    doc.regions.tokyo.endpoints.push({ name: 'jp-v4', address: '198.51.100.31' });
    writeFileSync(file, JSON.stringify(doc));
    for (const command of [['check-config', file], ['serve', '--config', file]]) {
      const err = await run('node', [...cli, ...command]).then(() => undefined, (e: { code: number; stderr: string }) => e);
      expect(err?.code).toBe(2);
      expect(err?.stderr).toContain(`${file}: names[0].rules[0].countries[0]: unknown country code "XX"`);
      expect(err?.stderr).toContain(`${file}: regions.tokyo.endpoints[2]: duplicate endpoint jp-v4`);
    }
  });

  it('explain prints the decision trace', async () => {
    const { stdout } = await run('node', [...cli, 'explain', 'api.example.com', '--client', '202.32.0.0/24', '--config', 'config/geosteer.example.yaml']);
    expect(stdout).toContain('rule:     countries JP,KR (matched by country JP)');
    expect(stdout).toContain('chosen:   tokyo');
    expect(stdout).toContain('answer:   A 198.51.100.30\n');
    expect(stdout).toContain('region:   A 198.51.100.30; AAAA 2001:db8:3::30');
  });
});

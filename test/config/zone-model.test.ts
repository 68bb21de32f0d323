import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseConfigText } from '../../src/config/load.js';
import { presentRecord } from '../../src/config/rdata/rdata.js';
import { ConfigError } from '../../src/shared/errors.js';

// zones[].file merged with the YAML records, checked as one zone; every problem names the
// config path or file:line.

const SOA_NS = '$ORIGIN example.com.\n$TTL 300\n@ SOA ns1 hostmaster 7 3600 600 86400 60\n  NS ns1\nns1 A 192.0.2.53\n';

function config(zone: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return { zones: [{ name: 'example.com', ...zone }], regions: { r: { endpoints: [{ address: '198.51.100.1' }] } }, ...extra };
}

/** Loads `doc` as conf/geosteer.yaml with zone files from `files` (paths relative to conf/). */
function load(doc: unknown, files: Record<string, string> = {}) {
  const texts = new Map(Object.entries(files).map(([p, t]) => [resolve('conf', p), t]));
  return parseConfigText(stringify(doc), 'conf/geosteer.yaml', {
    readZoneFile: (path) => {
      const text = texts.get(path);
      if (text === undefined) throw new Error(`ENOENT: no such file, open '${path}'`);
      return text;
    },
  });
}

function problems(doc: unknown, files: Record<string, string> = {}): string[] {
  try {
    load(doc, files);
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  return [];
}

describe('zones[].file with YAML records', () => {
  it('the file gives the SOA and apex NS, YAML adds records; both are in the model, with where they came from', () => {
    const loaded = load(config({ file: 'z.zone', records: [{ name: 'www', type: 'A', value: '192.0.2.80' }] }), { 'z.zone': `${SOA_NS}mail 60 A 192.0.2.25\n` });
    const zone = loaded.model.zones[0];
    expect(zone.soa).toEqual({ mname: 'ns1.example.com', rname: 'hostmaster.example.com', serial: 7, refresh: 3600, retry: 600, expire: 86400, minimum: 60 });
    expect([zone.ttl, zone.ns, zone.nsTtl]).toEqual([300, ['ns1.example.com'], 300]);
    expect(zone.records.map((r) => `${r.name} ${r.ttl} ${presentRecord(r.data)} @${r.source}`)).toEqual([
      'ns1.example.com 300 A 192.0.2.53 @conf/z.zone:5',
      'mail.example.com 60 A 192.0.2.25 @conf/z.zone:6',
      'www.example.com 3600 A 192.0.2.80 @zones[0].records[0]',
    ]);
    expect(loaded.files).toEqual([resolve('conf/z.zone')]);
  });

  it('SOA or NS in both places is refused, so nobody has to guess which wins', () => {
    const soa = { mname: 'ns1.example.com', rname: 'hostmaster.example.com' };
    expect(problems(config({ file: 'z.zone', soa, ns: ['ns1.example.com'] }), { 'z.zone': SOA_NS })).toEqual([
      'zones[0].soa: the zone file also has an SOA (conf/z.zone:3); give the SOA in one place, the file or the YAML',
      'zones[0].ns: the zone file also has apex NS records (conf/z.zone:4); give them in one place, the file or the YAML',
    ]);
  });

  it('without a file, or with a file lacking them, soa and ns are required', () => {
    expect(problems(config({}))).toEqual(['zones[0].soa: required: give soa: {mname, rname} here', "zones[0].ns: required: list the zone's name servers here"]);
    expect(problems(config({ file: 'z.zone' }), { 'z.zone': '$TTL 60\nx.example.com. A 192.0.2.1\n' })).toEqual([
      'zones[0].soa: required: give soa: {mname, rname} here or an SOA record at the apex of z.zone',
      "zones[0].ns: required: list the zone's name servers here or as NS records at the apex of z.zone",
    ]);
  });

  it('duplicates, CNAME beside data and TTLs are checked across file and YAML', () => {
    const file = `${SOA_NS}www CNAME web\nweb A 192.0.2.80\nweb 60 A 192.0.2.81\n`;
    expect(
      problems(config({ file: 'z.zone', records: [{ name: 'web', type: 'A', value: '192.0.2.80' }, { name: 'www', type: 'TXT', value: 'hi' }] }), { 'z.zone': file }),
    ).toEqual([
      'zones[0].records[1]: www.example.com already has a CNAME (conf/z.zone:6); a CNAME must be the only record at its name (RFC 1034 3.6.2)',
      'conf/z.zone:8: TTL 60 differs from 300 at conf/z.zone:7; the records of one RRset share a TTL (RFC 2181 5.2)',
      'zones[0].records[0]: duplicate of conf/z.zone:7 (web.example.com. A 192.0.2.80); an RRset holds each record once (RFC 2181 5)',
      'zones[0].records[0]: TTL 3600 differs from 300 at conf/z.zone:7; the records of one RRset share a TTL (RFC 2181 5.2)',
    ]);
  });

  it('a CNAME that comes after the data it clashes with is the one reported', () => {
    expect(problems(config({ file: 'z.zone' }), { 'z.zone': `${SOA_NS}www TXT hi\nwww CNAME web\n` })).toEqual([
      'conf/z.zone:7: a CNAME must be the only record at its name, and www.example.com also has TXT (conf/z.zone:6) (RFC 1034 3.6.2)',
    ]);
  });

  it('DS only at a delegation, never at the apex; NS, MX, SRV and MNAME point at host names', () => {
    const digest = 'AB'.repeat(32);
    const file = `${SOA_NS}@ DS 1 13 2 ${digest}\nleaf DS 1 13 2 ${digest}\nsub NS ns.sub\nsub DS 1 13 2 ${digest}\nns.sub A 192.0.2.54\nx NS .\n@ MX 10 _mail\n_s._tcp SRV 0 0 1 .\n`;
    expect(problems(config({ file: 'z.zone' }), { 'z.zone': file })).toEqual([
      'conf/z.zone:11: the name server must be a host name: the root is not a host name',
      'conf/z.zone:12: the exchange must be a host name (or "." for a null MX (RFC 7505)): label "_mail" of _mail.example.com is not a host name label (letters, digits and inner hyphens, RFC 1123 2.1)',
      'conf/z.zone:6: a DS at the zone apex belongs in the parent zone (RFC 4035 2.4)',
      'conf/z.zone:7: a DS needs NS records at leaf.example.com: it marks a secure delegation (RFC 4035 2.4)',
    ]);
  });

  it('every bad line of a file is reported with its line, not only the first', () => {
    const file = `${SOA_NS}a..b A 192.0.2.1\n  A 192.0.2.2\nc CH TXT "chaos"\nd A 192.0.2.300\ne.example.org. A 192.0.2.5\nf 1x A 192.0.2.6\ng NSEC3 1 0 0 - x\n$GENERATE 1-3 h$ A 192.0.2.$\n`;
    expect(problems(config({ file: 'z.zone' }), { 'z.zone': file })).toEqual([
      'conf/z.zone:6: owner: an empty label (two dots in a row, or a leading dot) in "a..b"',
      'conf/z.zone:7: the line starts with a blank (same owner as before), and the previous owner was invalid',
      'conf/z.zone:8: class CH is not served: geosteer serves class IN only; remove the record or its class',
      'conf/z.zone:9: A: expected the address as an IPv4 address, got "192.0.2.300"',
      'conf/z.zone:10: e.example.org is outside zone example.com; check $ORIGIN and names that end with a dot',
      'conf/z.zone:11: expected a TTL in seconds or with units like 1h30m (s, m, h, d, w), got "1x"',
      'conf/z.zone:12: NSEC3: geosteer does not serve signed zones',
      'conf/z.zone:13: $GENERATE is a BIND extension geosteer does not read; expand it into records',
    ]);
  });

  it('a file that cannot be read is one problem naming it', () => {
    expect(problems(config({ file: 'missing.zone' }))[0]).toBe(`cannot read conf/missing.zone: ENOENT: no such file, open '${resolve('conf/missing.zone')}'`);
  });

  it('ipv4hint=steered only at a steered name; an HTTPS record there is allowed beside the steering', () => {
    const names = { names: [{ name: 'api.example.com', default: ['r'] }] };
    const https = (name: string) => ({ name, type: 'HTTPS', value: '1 . alpn=h2,h3 ipv4hint=steered ipv6hint=steered' });
    const ok = load(config({ file: 'z.zone', records: [https('api')] }, names), { 'z.zone': SOA_NS });
    expect(ok.model.zones[0].records.map((r) => presentRecord(r.data))).toContain('HTTPS 1 . alpn="h2,h3" ipv4hint=steered ipv6hint=steered');
    expect(problems(config({ file: 'z.zone', records: [https('web')] }, names), { 'z.zone': SOA_NS })).toEqual([
      'zones[0].records[0]: ipv4hint=steered needs a steered name (names[]); web.example.com is not steered',
    ]);
  });
});

describe('YAML names and values (issue 13 item 9)', () => {
  const soa = { mname: 'ns1.example.com', rname: 'hostmaster.example.com' };
  const zone = (records: unknown[]) => config({ soa, ns: ['ns1.example.com'], records: [{ name: 'ns1', type: 'A', value: '192.0.2.53' }, ...records] });

  it('owner names that can never be asked for are refused with their config path', () => {
    expect(problems(zone(['a..b', 'bad name', `${'x'.repeat(70)}`, 'a.*.b'].map((name) => ({ name, type: 'A', value: '192.0.2.1' }))))).toEqual([
      'zones[0].records[1].name: an empty label (two dots in a row, or a leading dot) in "a..b"',
      'zones[0].records[2].name: a space, which must be escaped (\\X or \\DDD) in a name in "bad name"',
      `zones[0].records[3].name: a label of 70 octets in "${'x'.repeat(70)}"; labels have at most 63 (RFC 1035 2.3.4)`,
      'zones[0].records[4].name: "*" in "a.*.b"; a wildcard is a whole leftmost label like *.example.com (RFC 4592)',
    ]);
  });

  it('zone, NS and SOA names are checked the same way', () => {
    expect(problems(config({ name: 'exa..mple.com', soa: { mname: '_ns.example.com', rname: 'h.example.com' }, ns: ['ns 1.example.com'] }))).toEqual([
      'zones[0].name: an empty label (two dots in a row, or a leading dot) in "exa..mple.com"',
      'zones[0].soa.mname: label "_ns" of _ns.example.com is not a host name label (letters, digits and inner hyphens, RFC 1123 2.1)',
      'zones[0].ns[0]: a space, which must be escaped (\\X or \\DDD) in a name in "ns 1.example.com"',
    ]);
  });

  it('the new types load from YAML, RFC 3597 types by TYPEnnn', () => {
    const loaded = load(
      zone([
        { name: '_sip._tcp', type: 'SRV', value: '10 5 5060 sip.example.com.' },
        { name: 'web', type: 'HTTPS', value: '1 . alpn=h2' },
        { name: '_8443._https.web', type: 'SVCB', value: '1 web.example.com port=8443' },
        { name: 'host', type: 'PTR', value: 'web.example.com' },
        { name: '@', type: 'NAPTR', value: '100 10 "S" "SIP+D2T" "" _sip._tcp.example.com.' },
        { name: 'sub', type: 'NS', value: 'ns.example.net' },
        { name: 'sub', type: 'DS', value: `1 13 2 ${'ab'.repeat(32)}` },
        { name: 'opaque', type: 'TYPE65534', value: '\\# 3 abcdef' },
        { name: 'txt', type: 'TXT', value: '"two" "strings"' },
        { name: 'spf', type: 'TXT', value: 'v=spf1 mx -all' },
      ]),
    );
    const zoneModel = loaded.model.zones[0];
    expect(zoneModel.records.slice(1).map((r) => `${r.name} ${presentRecord(r.data)}`)).toEqual([
      '_sip._tcp.example.com SRV 10 5 5060 sip.example.com.',
      'web.example.com HTTPS 1 . alpn="h2"',
      '_8443._https.web.example.com SVCB 1 web.example.com. port=8443',
      'host.example.com PTR web.example.com.',
      'example.com NAPTR 100 10 "S" "SIP+D2T" "" _sip._tcp.example.com.',
      'sub.example.com NS ns.example.net.',
      `sub.example.com DS 1 13 2 ${'AB'.repeat(32)}`,
      'txt.example.com TXT "two" "strings"',
      'spf.example.com TXT "v=spf1 mx -all"',
    ]);
    expect(zoneModel.unknownTypeRecords.map((r) => `${r.name} ${presentRecord(r.data)}`)).toEqual(['opaque.example.com TYPE65534 \\# 3 ABCDEF']);
  });

  it('a type outside the list is refused by the schema', () => {
    expect(problems(zone([{ name: 'x', type: 'SPF', value: 'x' }]))).toEqual([
      'zones[0].records[1].type: expected one of A, AAAA, CNAME, TXT, MX, NS, CAA, SRV, PTR, NAPTR, SVCB, HTTPS, DS or TYPEnnn (RFC 3597), got "SPF"',
    ]);
  });
});

describe('$INCLUDE stays inside the config folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'geosteer-include-'));
  const conf = join(dir, 'conf');
  mkdirSync(join(conf, 'zones'), { recursive: true });
  writeFileSync(join(dir, 'secret.zone'), 'leak TXT "outside"\n');
  symlinkSync(join(dir, 'secret.zone'), join(conf, 'zones', 'link.zone'));
  const write = (name: string, text: string) => writeFileSync(join(conf, name), text);
  write('zones/a.zone', '$INCLUDE zones/b.zone\n');
  write('zones/b.zone', '$INCLUDE zones/a.zone\n');
  for (let i = 0; i < 10; i++) write(`zones/d${i}.zone`, `$INCLUDE zones/d${i + 1}.zone\n`);
  write('zones/d10.zone', 'deep TXT "ten deep"\n');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const fileProblems = (include: string) => {
    write('main.zone', `${SOA_NS}$INCLUDE ${include}\n`);
    try {
      parseConfigText(stringify(config({ file: 'main.zone' })), join(conf, 'geosteer.yaml'));
    } catch (err) {
      if (err instanceof ConfigError) return [...err.problems];
      throw err;
    }
    return [];
  };
  const main = join(conf, 'main.zone');

  it('refuses a path that leaves the folder, absolute or relative, and a symlink out of it', () => {
    expect(fileProblems('../secret.zone')).toEqual([`${main}:6: "../secret.zone" is outside the config's folder ${conf}; zone files and $INCLUDEs must be inside it`]);
    expect(fileProblems('/etc/passwd')).toEqual([`${main}:6: "/etc/passwd" is outside the config's folder ${conf}; zone files and $INCLUDEs must be inside it`]);
    expect(fileProblems('zones/link.zone')).toEqual([`${main}:6: "zones/link.zone" is outside the config's folder ${conf}; zone files and $INCLUDEs must be inside it`]);
  });

  it('refuses an include loop and nesting deeper than 8', () => {
    expect(fileProblems('zones/a.zone')).toEqual([`${join(conf, 'zones/b.zone')}:1: $INCLUDE of ${join(conf, 'zones/a.zone')} loops back to a file that is already being read`]);
    expect(fileProblems('zones/d0.zone')).toEqual([`${join(conf, 'zones/d7.zone')}:1: $INCLUDE nests more than 8 deep; flatten the includes`]);
  });
});

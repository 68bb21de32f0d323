import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { presentName } from '../../../src/config/names.js';
import { encodeRdata, presentRecord } from '../../../src/config/rdata/rdata.js';
import { loadZoneFile } from '../../../src/config/zone-file/loader.js';
import { describeWithTool } from '../../support/system-tool.js';

// config/zones/example.com.zone: the example every supported type is shown in. It loads
// here, and Knot's and NSD's own checkers accept it, so a differential test can serve it
// from all three.

const ZONE = resolve('config/zones/example.com.zone');

function ourRecords(file = 'zones/example.com.zone', baseDir = 'config') {
  const loaded = loadZoneFile({ zone: 'example.com', file, baseDir, displayDir: baseDir });
  expect(loaded.problems).toEqual([]);
  return loaded.records;
}

describe('config/zones/example.com.zone', () => {
  it('loads into a config with its SOA and apex NS, every type present', () => {
    const loaded = parseConfig(
      { zones: [{ name: 'example.com', file: 'zones/example.com.zone' }], regions: { r: { endpoints: [{ address: '192.0.2.1' }] } } },
      'config/geosteer.zone-file.yaml',
    );
    const zone = loaded.model.zones[0];
    expect(loaded.files).toEqual([ZONE]);
    expect(zone.soa).toEqual({ mname: 'ns1.example.com', rname: 'hostmaster.example.com', serial: 2026120101, refresh: 7200, retry: 3600, expire: 1209600, minimum: 300 });
    expect([zone.ttl, zone.ns, zone.nsTtl]).toEqual([3600, ['ns1.example.com', 'ns2.example.net'], 3600]);
    expect(new Set(zone.records.map((r) => r.data.type))).toEqual(new Set(['A', 'AAAA', 'MX', 'TXT', 'CAA', 'HTTPS', 'CNAME', 'SVCB', 'SRV', 'NAPTR', 'PTR', 'NS', 'DS']));
    expect(zone.unknownTypeRecords.map((r) => `${r.name} ${presentRecord(r.data)} ${r.source}`)).toEqual(['opaque.example.com TYPE65534 \\# 3 ABCDEF config/zones/example.com.zone:55']);
  });

  it('reads as written: canonical form of every record', () => {
    expect(ourRecords().map((r) => `${presentName(r.name)} ${r.ttl} ${presentRecord(r.data)}`)).toEqual([
      'example.com. 3600 SOA ns1.example.com. hostmaster.example.com. 2026120101 7200 3600 1209600 300',
      'example.com. 3600 NS ns1.example.com.',
      'example.com. 3600 NS ns2.example.net.',
      'ns1.example.com. 3600 A 192.0.2.53',
      'ns1.example.com. 3600 AAAA 2001:db8::53',
      'example.com. 3600 MX 10 mail.example.com.',
      'example.com. 3600 MX 20 mail.example.net.',
      'example.com. 3600 TXT "v=spf1 mx -all"',
      'example.com. 3600 CAA 0 issue "letsencrypt.org"',
      'example.com. 3600 CAA 128 iodef "mailto:security@example.com"',
      'mail.example.com. 300 A 192.0.2.25',
      'web.example.com. 3600 A 192.0.2.80',
      'web.example.com. 3600 AAAA 2001:db8::80',
      'web.example.com. 3600 HTTPS 1 . alpn="h2,h3" ipv4hint=192.0.2.80 ipv6hint=2001:db8::80',
      'www.example.com. 3600 CNAME web.example.com.',
      'alias.example.com. 3600 HTTPS 0 web.example.com.',
      '_8443._https.web.example.com. 3600 SVCB 1 web.example.com. mandatory=alpn,port alpn="h2" port=8443',
      '_sip._tcp.example.com. 3600 SRV 10 5 5060 sip.example.com.',
      'sip.example.com. 3600 A 192.0.2.60',
      'example.com. 3600 NAPTR 100 10 "S" "SIP+D2T" "" _sip._tcp.example.com.',
      'example.com. 3600 NAPTR 200 10 "U" "E2U+sip" "!^.*$!sip:info@example.com!" .',
      'host-80.example.com. 3600 PTR web.example.com.',
      'sub.example.com. 3600 NS ns.sub.example.com.',
      'sub.example.com. 3600 DS 60485 13 2 D4B7D520E7BB5F0F67674A0CCEB1E3E0614B93C4F9E99B8383F6A1E4469DA50A',
      'ns.sub.example.com. 3600 A 192.0.2.54',
      'notes.example.com. 3600 TXT "a long text is" " split into strings" "quotes \\"like this\\" and a ; stay"',
      'notes.example.com. 3600 TXT "caf\\195\\169"',
      '*.wild.example.com. 3600 A 192.0.2.99',
      'opaque.example.com. 3600 TYPE65534 \\# 3 ABCDEF',
      'generic.example.com. 3600 TXT "hello"',
    ]);
  });
});

describeWithTool('Knot accepts the example zone', { command: 'knotc', versionArgs: ['--version'], apt: 'knot' }, () => {
  it('knotc zone-check with semantic checks on', () => {
    const dir = mkdtempSync(join(tmpdir(), 'geosteer-knot-'));
    try {
      // zone-check reads the config and the zone file only; the listen address is never bound
      const conf = join(dir, 'knot.conf');
      writeFileSync(conf, `server:\n  rundir: ${dir}\ndatabase:\n  storage: ${dir}\nzone:\n  - domain: example.com\n    file: ${ZONE}\n    semantic-checks: on\n`);
      expect(execFileSync('knotc', ['-c', conf, 'zone-check', 'example.com'], { encoding: 'utf8' })).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describeWithTool('NSD accepts the example zone and reads it as we do', { command: 'nsd-checkzone', versionArgs: ['-h'], apt: 'nsd' }, () => {
  it('nsd-checkzone -p prints the same records, wire for wire', () => {
    const printed = execFileSync('nsd-checkzone', ['-p', 'example.com', ZONE], { encoding: 'utf8' });
    expect(printed.trim().endsWith('; zone example.com is ok')).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'geosteer-nsd-'));
    try {
      writeFileSync(join(dir, 'printed.zone'), printed);
      // NSD's own presentation, read back by us, must be the records we read from the original
      const wire = (records: ReturnType<typeof ourRecords>) => records.map((r) => `${r.name} ${r.ttl} ${presentRecord(r.data).split(' ')[0]} ${encodeRdata(r.data).toString('hex')}`).sort();
      expect(wire(ourRecords('printed.zone', dir))).toEqual(wire(ourRecords()));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { presentName } from '../../../src/config/names.js';
import { presentRecord } from '../../../src/config/rdata/rdata.js';
import { loadZoneFile } from '../../../src/config/zone-file/loader.js';

// BIND's own master-file tests (bin/tests/system/masterfile and checkzone/zones in
// isc-projects/bind9, copied into test/fixtures): the zone BIND serves for each file (its
// AXFR, knowngood.*) must be what we read from it.

const FIXTURES = join(import.meta.dirname, '../../fixtures');

function load(dir: string, zone: string, file: string) {
  const base = join(FIXTURES, dir);
  return loadZoneFile({ zone, file, baseDir: base, displayDir: dir });
}

/** "owner ttl IN TYPE rdata" lines, whitespace normalised, sorted, each once (the AXFR repeats the SOA). */
function knownGood(file: string): string[] {
  const lines = readFileSync(join(FIXTURES, 'bind-masterfile', file), 'utf8').trim().split('\n');
  return [...new Set(lines.map((l) => l.trim().split(/\s+/).join(' ')))].sort();
}

describe('BIND masterfile corpus', () => {
  for (const [zone, file, good] of [
    ['include', 'include.db', 'knowngood.include'],
    ['ttl1', 'ttl1.db', 'knowngood.ttl1'],
    ['ttl2', 'ttl2.db', 'knowngood.ttl2'],
  ]) {
    it(`${file} gives the zone BIND serves (${good})`, () => {
      const loaded = load('bind-masterfile', zone, file);
      expect(loaded.problems).toEqual([]);
      const ours = loaded.records.map((r) => `${presentName(r.name)} ${r.ttl} IN ${presentRecord(r.data)}`).sort();
      expect(ours).toEqual(knownGood(good));
    });
  }

  it('$INCLUDE with an origin and $ORIGIN inside the included file do not change the parent (include.db)', () => {
    const loaded = load('bind-masterfile', 'include', 'include.db');
    expect(loaded.files.map((f) => f.slice(FIXTURES.length + 1))).toEqual(['bind-masterfile/include.db', 'bind-masterfile/sub.db', 'bind-masterfile/sub.db']);
    // the A right after "$INCLUDE sub.db a" has a blank owner: the owner before the include
    expect(loaded.records.find((r) => r.data.type === 'A' && r.data.address === '10.0.0.99')?.name).toBe('a.include');
  });

  it('a blank owner after $INCLUDE is the owner before it (inheritownerafterinclude.db)', () => {
    const loaded = load('bind-masterfile', 'inheritownerafterinclude', 'zone/inheritownerafterinclude.db');
    expect(loaded.problems).toEqual([]);
    expect(loaded.records.map((r) => `${r.name} ${r.data.type}`)).toEqual(['inheritownerafterinclude SOA', 'inheritownerafterinclude NS', 'inheritownerafterinclude TXT']);
  });
});

describe('BIND checkzone corpus', () => {
  it('good-svcb.db loads, each SVCB in canonical form', () => {
    const loaded = load('bind-checkzone', 'example', 'good-svcb.db');
    expect(loaded.problems).toEqual([]);
    expect(loaded.records.filter((r) => r.data.type === 'SVCB').map((r) => `${r.name.split('.')[0]} ${presentRecord(r.data)}`)).toEqual([
      'svcb0 SVCB 0 example.net.',
      'svcb1 SVCB 1 . alpn="h3" port=60 ech=ZWFzdGVyIGVnZyE=',
      'svcb2 SVCB 2 . alpn="alpn" no-default-alpn',
      'svcb3 SVCB 3 . ipv4hint=10.10.10.10',
      'svcb4 SVCB 4 . ipv6hint=feed:a::bee',
      'svcb5 SVCB 5 . key9999="something"',
      'svcb6 SVCB 6 . mandatory=alpn,port alpn="h3" port=60',
      'svcb7 SVCB 7 . mandatory=alpn,port alpn="h1,h3" port=60',
      'svcb8 SVCB 8 . mandatory=alpn,port alpn="h1\\\\,h2,h3" port=60',
      'svcb9 SVCB 0 44._svbc.example.net.',
    ]);
  });

  it('bad-svcb.db, bad-svcb-mandatory.db and badttl.db are refused with the line', () => {
    expect(load('bind-checkzone', 'example', 'bad-svcb.db').problems).toEqual([
      'bind-checkzone/bad-svcb.db:15: SVCB: unknown SvcParam key "unknown"; known: mandatory, alpn, no-default-alpn, port, ipv4hint, ech, ipv6hint, dohpath, ohttp, or keyNNNNN (lower case)',
    ]);
    expect(load('bind-checkzone', 'example', 'bad-svcb-mandatory.db').problems).toEqual([
      'bind-checkzone/bad-svcb-mandatory.db:15: SVCB: AliasMode (priority 0) takes no SvcParams (RFC 9460 2.4.2); use priority 1 or more for ServiceMode',
    ]);
    expect(load('bind-checkzone', 'example', 'badttl.db').problems).toEqual([
      'bind-checkzone/badttl.db:8: $TTL takes one TTL, like $TTL 3600 or $TTL 1h',
      'bind-checkzone/badttl.db:14: DNAME needs name rewriting in answers, which geosteer does not do',
    ]);
  });
});

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { presentRecord } from '../../src/config/rdata/rdata.js';
import { parseRecordData } from '../../src/config/records.js';
import { STATIC_RECORD_TYPES } from '../../src/config/schema.js';

// src/config/README.md is real: its zone-file example loads, and every example value in its
// type table parses as the type it is listed for.

const README = readFileSync('src/config/README.md', 'utf8');

describe('src/config/README.md', () => {
  it('the zone-file example loads: YAML plus the file it names', () => {
    const yaml = [...README.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]).find((b) => b.includes('file: zones/example.org.zone'));
    const zone = /```zone\n([\s\S]*?)```/.exec(README)?.[1];
    const dir = mkdtempSync(join(tmpdir(), 'geosteer-readme-'));
    try {
      mkdirSync(join(dir, 'zones'));
      writeFileSync(join(dir, 'zones/example.org.zone'), zone!);
      const loaded = parseConfigText(yaml!, join(dir, 'geosteer.yaml'));
      const z = loaded.model.zones[0];
      expect([z.soa.serial, z.soa.minimum, z.ns, z.ttl]).toEqual([2026120101, 300, ['ns1.example.org', 'ns2.example.net'], 3600]);
      expect(z.records.map((r) => `${r.name} ${r.ttl} ${presentRecord(r.data)}`)).toEqual([
        'ns1.example.org 300 A 192.0.2.53',
        'www.example.org 3600 CNAME api.example.org.',
        'example.org 3600 MX 10 mail.example.net.',
        'example.org 3600 TXT "v=spf1 mx -all" "a \\"quoted\\" word"',
        '_sip._tcp.example.org 3600 SRV 10 5 5060 sip.example.net.',
        'api.example.org 3600 HTTPS 1 . alpn="h2,h3" ipv4hint=steered ipv6hint=steered',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lists every type with an example value that parses', () => {
    const rows = [...README.matchAll(/^\| (\w+) \| `([^`]+)` \|/gm)].map((m) => [m[1], m[2].replace(/\\\\/g, '\\')] as const);
    expect(rows.map(([t]) => t)).toEqual(expect.arrayContaining([...STATIC_RECORD_TYPES, 'TYPE65534']));
    for (const [type, value] of rows) {
      const data = parseRecordData(type, value, 'example.com');
      expect(typeof data === 'string' ? `${type}: ${data}` : type).toBe(type);
    }
  });
});

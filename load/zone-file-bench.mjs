#!/usr/bin/env node
// Cost of loading a large zone file through the real config loader (tokenizer, parser,
// rdata checks, the merge and zone checks) and of compiling the snapshot from it: wall time
// and resident memory after each step (the answer table is the snapshot's zone part). The zone is generated: a mix of A, AAAA, TXT, MX,
// SRV and HTTPS records like a real zone's, `--records` in all.
//   npm run build && node --expose-gc load/zone-file-bench.mjs [--records 100000]
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { records: { type: 'string', default: '100000' } } });
const { parseConfigText } = await import(join(ROOT, 'dist/config/load.js'));
const { compileAnswerTable } = await import(join(ROOT, 'dist/dns/answer-table.js'));

const count = Number(values.records);
const lines = ['$ORIGIN example.com.', '$TTL 1h', '@ IN SOA ns1 hostmaster ( 1 2h 1h 2w 5m )', '  IN NS ns1', 'ns1 IN A 192.0.2.53'];
const kinds = [
  (i) => `h${i} 300 IN A 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
  (i) => `h${i} IN AAAA 2001:db8::${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}`,
  (i) => `t${i} TXT "v=spf1 include:_spf${i}.example.net -all" "id=${i}"`,
  (i) => `m${i} MX 10 mail${i}.example.net.`,
  (i) => `_sip._tcp.s${i} SRV 10 5 5060 sip${i}.example.net.`,
  (i) => `w${i} HTTPS 1 . alpn=h2,h3 ipv4hint=192.0.2.${i & 255}`,
];
for (let i = 0; lines.length < count + 4; i++) lines.push(kinds[i % kinds.length](i));
const dir = mkdtempSync(join(tmpdir(), 'geosteer-zone-bench-'));
const zonePath = join(dir, 'big.zone');
writeFileSync(zonePath, `${lines.join('\n')}\n`);
const yaml = 'zones:\n  - name: example.com\n    file: big.zone\nregions:\n  r: { endpoints: [{ address: 198.51.100.1 }] }\n';

const mb = (n) => `${(n / 1048576).toFixed(0)} MB`;
const rss = () => { globalThis.gc?.(); return process.memoryUsage().rss; };
const heap = () => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
const before = rss();
const heapBefore = heap();
let t = process.hrtime.bigint();
const loaded = parseConfigText(yaml, join(dir, 'geosteer.yaml'));
const loadMs = Number(process.hrtime.bigint() - t) / 1e6;
const afterLoad = rss();
const heapAfterLoad = heap();
t = process.hrtime.bigint();
const table = compileAnswerTable(loaded.model, new Map());
const compileMs = Number(process.hrtime.bigint() - t) / 1e6;
const afterCompile = rss();
const records = loaded.model.zones[0].records.length;
console.log(`zone file: ${records} records, ${mb(statSync(zonePath).size)} of text`);
console.log(`load (parse + check + model): ${loadMs.toFixed(0)} ms, RSS ${mb(before)} -> ${mb(afterLoad)}, live heap + buffers +${mb(heapAfterLoad - heapBefore)} (${((heapAfterLoad - heapBefore) / records).toFixed(0)} bytes a record)`);
console.log(`compileAnswerTable: ${compileMs.toFixed(0)} ms, ${table.nodes.size} names, RSS -> ${mb(afterCompile)}`);
rmSync(dir, { recursive: true, force: true });

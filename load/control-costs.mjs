#!/usr/bin/env node
// What one change costs the control plane, counted rather than timed (exact on a noisy
// machine): compiles and resolveRule calls per admin weight change on the example config, and
// answer sets (regions laid out per steered name) plus compile time when the config has 1,000
// regions of which the name uses 40. Function calls are counted with V8's precise coverage.
//   node load/control-costs.mjs
import { Session } from 'node:inspector/promises';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { parseConfigText } = await import(join(ROOT, 'dist/config/load.js'));
const { buildService } = await import(join(ROOT, 'dist/service/build-service.js'));
const { silentLogger } = await import(join(ROOT, 'dist/shared/logger.js'));

const session = new Session();
session.connect();
await session.post('Profiler.enable');

/** Calls of `fn` (a function name) in the module whose URL ends with `file`, while `work` runs. */
async function callsOf(file, fn, work) {
  await session.post('Profiler.startPreciseCoverage', { callCount: true, detailed: false });
  await work();
  const { result } = await session.post('Profiler.takePreciseCoverage');
  await session.post('Profiler.stopPreciseCoverage');
  const script = result.find((s) => s.url.endsWith(file));
  return script?.functions.filter((f) => f.functionName === fn).reduce((n, f) => n + f.ranges[0].count, 0) ?? 0;
}

const example = parse(readFileSync(join(ROOT, 'config/geosteer.example.yaml'), 'utf8'));
example.dns.workers = 1;
const TOKEN = 'control-costs-token-0123456789';
const deps = { log: silentLogger(), env: { GEOSTEER_ADMIN_TOKEN: TOKEN }, dnsListen: [{ host: '127.0.0.1', port: 0 }], adminListen: 'inject', defaultMetrics: false };
const service = await buildService(parseConfigText(stringify(example), 'example'), deps);
await service.start();
const rules = [...service.control.current().plans.values()].reduce((n, p) => n + p.policy.rules.length + 1, 0);
const before = service.control.compiles;
const calls = await callsOf('steering/decide.js', 'resolveRule', async () => {
  const r = await service.admin.inject({ method: 'PUT', url: '/v1/regions/tokyo/drain', headers: { authorization: `Bearer ${TOKEN}` }, payload: { reason: 'control costs', force: true } });
  if (r.statusCode !== 200) throw new Error(`drain: ${r.statusCode} ${r.body}`);
});
const failovers = service.events.list({ type: 'failover' }).length;
console.log(`example config (${rules} rules): one forced drain through the admin API -> ${service.control.compiles - before} compile(s), ${calls} resolveRule call(s) (strand check included), ${failovers} failover event(s)`);

// 1,000 regions, the steered name uses 40 of them (10 rules x 4 regions).
const big = parse(readFileSync(join(ROOT, 'config/geosteer.example.yaml'), 'utf8'));
big.dns.workers = 1;
big.regions = {};
for (let i = 0; i < 1000; i++) big.regions[`r${i}`] = { endpoints: [{ address: `10.${i >> 8}.${i & 255}.1` }, { address: `2001:db8:${i.toString(16)}::1` }] };
const countries = ['TW', 'SG', 'JP', 'KR', 'US', 'CA', 'DE', 'FR', 'GB', 'BR'];
big.names[0].rules = countries.map((cc, k) => ({ countries: [cc], tiers: [{ group: [`r${4 * k}`, `r${4 * k + 1}`] }, `r${4 * k + 2}`, `r${4 * k + 3}`] }));
big.names[0].default = ['r0', 'r1'];
const bigService = await buildService(parseConfigText(stringify(big), 'big'), deps);
await bigService.start();
const plan = bigService.control.current().plans.get('api.example.com');
const t0 = process.hrtime.bigint();
const runs = 20;
for (let i = 0; i < runs; i++) {
  await bigService.state.setWeight(`r${i % 40}`, 50 + (i % 2));
  await bigService.control.settled();
}
const ms = Number(process.hrtime.bigint() - t0) / 1e6 / runs;
console.log(`1,000 regions, 40 used: ${plan.regions.size} answer sets compiled for the name; ${ms.toFixed(2)} ms per compile (mean of ${runs} weight changes)`);
session.disconnect();
await service.stop();
await bigService.stop();

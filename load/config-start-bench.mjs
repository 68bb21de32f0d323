#!/usr/bin/env node
// How long a large config takes to check and to start serving, and how much memory it
// takes: runs the compiled CLI as an operator would, `check-config FILE` to its exit and
// `serve --config FILE` to its "geosteer serving" line, each --runs times, and prints the
// median wall time, CPU time (of the process) and peak RSS (VmHWM of the process plus its
// DNS workers; Linux /proc). The config comes from load/big-config.mjs (about 5 MB, one DNS
// process) unless --config names one; it should listen on port 0.
//   node load/config-start-bench.mjs [--config FILE] [--runs 3] [--root DIR]
// --root runs another build (a directory with dist/ and node_modules/), for before/after.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const HERE = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({ options: { config: { type: 'string' }, runs: { type: 'string', default: '3' }, root: { type: 'string', default: join(HERE, '..') } } });
const runs = Number(values.runs);
const cli = join(values.root, 'dist/cli.js');
const config = values.config ?? '/tmp/geosteer-big.yaml';
if (!values.config) process.stdout.write(execFileSync(process.execPath, [join(HERE, 'big-config.mjs'), '--out', config]));

/** Peak resident set in bytes (VmHWM of /proc/PID/status) of a live process plus its children's (serve's DNS workers). */
function peakRss(pid) {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  let children = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ').filter(Boolean).map(Number);
  } catch {
    // no children list on this kernel: the process alone
  }
  return (m ? Number(m[1]) * 1024 : NaN) + children.reduce((sum, child) => sum + peakRss(child), 0);
}

/** CPU seconds (user + system) a live process has used: less disturbed by a busy machine than wall time. */
function cpuSeconds(pid) {
  // fields 14 and 15 of /proc/PID/stat, in clock ticks (100 per second on Linux); the name in () may hold spaces
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * Runs the CLI until `done(line)` says so (or it exits); resolves with the wall time and the
 * peak RSS read just then. check-config is held at exit by an --import hook that waits for a
 * byte on stdin, so its /proc entry can still be read.
 */
function measure(args, done) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let settled = false;
    const finish = (ok, why) => {
      if (settled) return;
      settled = true;
      const ms = performance.now() - started;
      const rss = peakRss(child.pid);
      const cpu = cpuSeconds(child.pid);
      child.kill('SIGKILL');
      if (ok) resolve({ ms, rss, cpu });
      else reject(new Error(`${args.join(' ')}: ${why}\n${out.slice(-2000)}`));
    };
    const timer = setTimeout(() => finish(false, 'no result within 300 s'), 300_000);
    const onData = (chunk) => {
      out += chunk;
      for (const line of out.split('\n')) if (done(line)) return clearTimeout(timer), finish(true);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (!settled) finish(false, `exited ${code}`);
    });
  });
}

// At exit, say so on stderr and wait (the bench kills the process after reading its peak RSS).
const HOLD = `data:text/javascript,${encodeURIComponent("process.on('exit', () => { process.stderr.write('\\nbench: exiting\\n'); Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 30000); });")}`;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = { 'check-config': [], serve: [] };
for (let i = 0; i < runs; i++) {
  results['check-config'].push(await measure(['--import', HOLD, cli, 'check-config', config], (l) => l === 'bench: exiting'));
  results.serve.push(await measure([cli, 'serve', '--config', config], (l) => l.includes('"msg":"geosteer serving"')));
}
for (const [what, rs] of Object.entries(results)) {
  const ms = rs.map((r) => r.ms);
  const rss = rs.map((r) => r.rss / 1e6);
  const cpu = rs.map((r) => r.cpu);
  process.stdout.write(`${what.padEnd(12)} median ${(median(ms) / 1000).toFixed(2)} s wall, ${median(cpu).toFixed(2)} s CPU, peak RSS ${median(rss).toFixed(0)} MB (wall per run: ${ms.map((m) => (m / 1000).toFixed(2)).join(', ')} s)\n`);
}

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile, type LoadedConfig } from '../../src/config/load.js';
import { parseListenAddress } from '../../src/config/schema.js';
import { buildService, type Service } from '../../src/service/build-service.js';
import { ask } from '../support/dns-client.js';
import { waitFor } from '../support/poll.js';
import { redisServerInstalled, startRedis, type TestRedis } from '../support/redis-server.js';
import { testDeps } from '../support/test-server.js';
import { option, shBlocks, shCommands, type ShBlock, type ShCommand } from './readme-shell.js';

// README.md's ```sh blocks work as written on a fresh clone. Checked offline, without the
// fixed ports: the files they name exist, the configs they serve load, the ports they dig and
// curl are the ones those configs listen on, redis-server runs in the background with its
// files outside the checkout; and each section whose servers need nothing outside (no fake
// regions, no Kubernetes) is replayed against the production wiring on free ports: every dig
// gets the answer its comment promises, every curl to the admin API succeeds, every grep of
// /metrics prints something.

const README = 'README.md';
const TOKEN = 'readme-token-0123456789abcdef';
const REPO = resolve('.');
const blocks = shBlocks(README);

/** A config file a command names (not a placeholder like FILE). */
const isConfigPath = (p: string | undefined): p is string => p !== undefined && /\.ya?ml$/.test(p);

/** The configs a command serves: `serve --config FILE`, and `npm start` (the example config). */
function served(c: ShCommand): string[] {
  if (c.words.includes('serve')) return [option(c.words, '--config')].filter(isConfigPath);
  return c.words[0] === 'npm' && c.words[1] === 'start' ? ['config/geosteer.example.yaml'] : [];
}

/** Each section's commands and the configs served in it (a section's later blocks use the servers its earlier ones started). */
const sections = new Map<string, { blocks: ShBlock[]; commands: ShCommand[]; configs: string[] }>();
for (const block of blocks) {
  const s = sections.get(block.section) ?? { blocks: [], commands: [], configs: [] };
  const commands = shCommands(block);
  s.blocks.push(block);
  s.commands.push(...commands);
  s.configs.push(...commands.flatMap(served));
  sections.set(block.section, s);
}

const loaded = new Map<string, LoadedConfig>();
const config = async (path: string) => {
  if (!loaded.has(path)) loaded.set(path, await loadConfigFile(path));
  return loaded.get(path)!;
};
const portOf = (listen: string) => parseListenAddress(listen)!.port;
const isLocal = (host: string | undefined) => host === '127.0.0.1' || host === '::1' || host === 'localhost';

/** What a curl talks to: method, host, port, path and query, headers and body. */
function curlRequest(c: ShCommand) {
  const url = c.words.slice(1).find((w) => /^(https?:\/\/)?[\w.:[\]-]+:\d+\//.test(w))!;
  const u = new URL(url.includes('://') ? url : `http://${url}`);
  const headers: Record<string, string> = {};
  c.words.forEach((w, i) => {
    if (w !== '-H') return;
    const [name, ...rest] = c.words[i + 1].split(':');
    headers[name.toLowerCase()] = rest.join(':').trim().replaceAll('$GEOSTEER_ADMIN_TOKEN', TOKEN);
  });
  const grep = c.words.indexOf('|') === -1 ? undefined : c.words.slice(c.words.indexOf('|') + 1);
  return { method: option(c.words, '-X') ?? 'GET', host: u.hostname, port: Number(u.port), url: `${u.pathname}${u.search}`, headers, body: option(c.words, '-d'), grep };
}

describe('README command blocks: what can be checked without running them', () => {
  it('there are command blocks, in the sections that need them', () => {
    expect([...sections.keys()]).toEqual(expect.arrayContaining(['Quick start', 'Try failover', 'Several instances with Redis', 'Admin API', 'Metrics']));
  });

  for (const block of blocks) {
    const commands = shCommands(block);
    it(`${README}:${block.line} (${block.section}): every file it names exists`, () => {
      const paths = commands.flatMap((c) => c.words.flatMap((w) => [...w.matchAll(/(?:^|[=@])((?:config|scripts|deploy|geo|load|src)\/[\w./-]+)/g)].map((m) => m[1])));
      for (const p of paths) expect(existsSync(p), `${p} (line of ${README}:${block.line})`).toBe(true);
    });

    it(`${README}:${block.line} (${block.section}): node dist/cli.js only after a build, redis-server in the background and outside the checkout`, () => {
      const section = sections.get(block.section)!;
      const before = section.commands.slice(0, section.commands.indexOf(commands[0]));
      for (const [i, c] of commands.entries()) {
        if (c.words[0] === 'node' && c.words[1] === 'dist/cli.js') {
          const built = [...before, ...commands.slice(0, i)].some((b) => b.words[0] === 'npm' && ['build', 'start', 'test'].includes(b.words[b.words[1] === 'run' ? 2 : 1]));
          expect(built, `${README}:${c.line}: node dist/cli.js before npm run build`).toBe(true);
        }
        if (c.words[0] === 'redis-server') {
          expect(option(c.words, '--daemonize') === 'yes' || c.background, `${README}:${c.line}: redis-server blocks the shell`).toBe(true);
          const dir = option(c.words, '--dir');
          expect(dir !== undefined && isAbsolute(dir) && !resolve(dir).startsWith(REPO), `${README}:${c.line}: redis-server writes into the checkout (give --dir outside it)`).toBe(true);
        }
      }
    });
  }

  for (const [name, section] of sections) {
    it(`${name}: the configs it serves load, and it digs and curls the ports they listen on`, async () => {
      const configs = await Promise.all(section.configs.map(config));
      const dnsPorts = new Set(configs.flatMap((l) => l.config.dns.listen.map(portOf)));
      const httpPorts = new Set(configs.flatMap((l) => [l.config.admin?.listen, l.config.admin?.open_listen].filter((x) => x !== undefined).map(portOf)));
      // the fake regions the failover demo checks, and what kubectl port-forward opens
      for (const path of section.configs) for (const m of readFileSync(path, 'utf8').matchAll(/url: "?http:\/\/127\.0\.0\.1:(\d+)\//g)) httpPorts.add(Number(m[1]));
      for (const c of section.commands) if (c.words.includes('port-forward')) httpPorts.add(Number(c.words[c.words.length - 1]));
      const redisPorts = new Set(configs.filter((l) => l.config.state.store === 'redis').map((l) => Number(new URL(l.config.state.url!).port)));
      for (const c of section.commands) {
        const where = `${README}:${c.line}`;
        if (c.words[0] === 'dig' && isLocal(c.words.find((w) => w.startsWith('@'))?.slice(1))) expect(dnsPorts.has(Number(option(c.words, '-p'))), `${where}: dig port is not a dns.listen port of ${section.configs.join(', ')}`).toBe(true);
        if (c.words[0] === 'curl') {
          const r = curlRequest(c);
          if (isLocal(r.host)) expect(httpPorts.has(r.port), `${where}: curl port ${r.port} is not an admin or check port of ${section.configs.join(', ') || 'anything served'}`).toBe(true);
        }
        if (c.words[0] === 'redis-server') expect(redisPorts.has(Number(option(c.words, '--port'))), `${where}: redis-server port is not the state.url port of the configs`).toBe(true);
        const checked = c.words[c.words.indexOf('check-config') + 1];
        if (c.words.includes('check-config') && isConfigPath(checked)) await config(checked);
      }
    });
  }
});

// Sections replayed: their servers need nothing the test cannot start (Redis it can).
const REPLAYED = ['Quick start', 'Several instances with Redis', 'Admin API', 'Metrics'];

describe('README command blocks, replayed on free ports', () => {
  let redis: TestRedis | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'geosteer-readme-'));
  beforeAll(async () => {
    if (redisServerInstalled()) redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Starts a section's configs (DNS and admin on free ports, Redis the test's); maps each README port to its service. */
  async function serve(configs: readonly string[], prefix: string) {
    const byDnsPort = new Map<number, { service: Service; port: number }>();
    const byAdminPort = new Map<number, Service>();
    const services: Service[] = [];
    for (const path of new Set(configs)) {
      const l = await config(path);
      const doc = parse(readFileSync(path, 'utf8')) as Record<string, any>;
      if (l.config.state.store === 'redis') doc.state = { ...doc.state, url: redis!.url, key_prefix: prefix };
      const file = join(dir, `${prefix}-${path.replaceAll('/', '_')}`);
      writeFileSync(file, stringify(doc));
      const service = await buildService(await loadConfigFile(file), await testDeps({ env: { GEOSTEER_ADMIN_TOKEN: TOKEN }, dnsListen: [{ host: '127.0.0.1', port: 0 }] }));
      const started = await service.start();
      services.push(service);
      for (const listen of l.config.dns.listen) byDnsPort.set(portOf(listen), { service, port: started.dns[0].port });
      byAdminPort.set(portOf(l.config.admin!.listen), service);
    }
    return { byDnsPort, byAdminPort, close: () => Promise.all(services.map((s) => s.stop())) };
  }

  for (const name of REPLAYED) {
    it(`${name}: every dig, curl and grep does what the README says`, async (ctx) => {
      const section = sections.get(name)!;
      if (section.configs.some((p) => p.includes('redis')) && !redis) ctx.skip();
      const { byDnsPort, byAdminPort, close } = await serve(section.configs, `readme${process.pid}-${name.replace(/\W/g, '')}`);
      try {
        let pause = 0;
        for (const c of section.commands) {
          const where = `${README}:${c.line}`;
          if (c.words[0] === 'sleep') pause = Number(c.words[1]) * 1000;
          if (c.words[0] === 'dig' && isLocal(c.words.find((w) => w.startsWith('@'))?.slice(1))) {
            const target = byDnsPort.get(Number(option(c.words, '-p')))!;
            const ecs = c.words.find((w) => w.startsWith('+subnet='))?.slice('+subnet='.length);
            const query = { name: c.words.find((w) => /^[a-z0-9.-]+\.[a-z]+$/.test(w))!, type: (c.words.find((w) => /^(A|AAAA|NS|MX|SOA)$/.test(w)) ?? 'A') as 'A', ecs };
            const promised = /(\d+\.\d+\.\d+\.\d+)/.exec(c.comment)?.[1];
            // "sleep N; dig": the answer may take up to N seconds to change
            const got = await waitFor(`${where}: ${promised ?? 'an answer'}`, async () => {
              const answers = (await ask(target.port, query)).answers;
              return (promised === undefined ? answers.length > 0 : answers[0] === promised) && answers;
            }, pause + 500);
            // a command whose comment names an address gets exactly that first; the others any answer (waitFor)
            if (promised !== undefined) expect(got[0], where).toBe(promised);
            pause = 0;
          }
          if (c.words[0] === 'curl') {
            const r = curlRequest(c);
            const service = byAdminPort.get(r.port)!;
            const res = await service.admin!.inject({ method: r.method as 'GET', url: r.url, headers: r.headers, payload: r.body });
            expect(res.statusCode, `${where}: ${r.method} ${r.url} answered ${res.statusCode}: ${res.body}`).toBeLessThan(300);
            if (r.grep) {
              const pattern = r.grep[r.grep.length - 1];
              expect(res.body.split('\n').some((l) => new RegExp(pattern).test(l)), `${where}: grep ${pattern} prints nothing`).toBe(true);
            }
          }
        }
      } finally {
        await close();
      }
    });
  }
});

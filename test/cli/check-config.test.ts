import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { exampleDocument } from '../support/test-server.js';

// check-config refuses exactly what serve refuses (issue 15 item 5): the compiled CLI in a
// child process, `check-config FILE` and `serve --config FILE` on the same file and the same
// environment, compared line for line. Every case here makes serve exit 2 before it binds.

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'geosteer-check-'));
let files = 0;
const write = (name: string, text: string) => {
  const path = join(dir, `${++files}-${name}`);
  writeFileSync(path, text);
  return path;
};

/** A kubeconfig whose only context is `ctx` (never contacted: nothing here connects). */
const KUBECONFIG = write(
  'kubeconfig.yaml',
  [
    'apiVersion: v1',
    'kind: Config',
    'clusters:\n  - name: c\n    cluster:\n      server: http://127.0.0.1:9',
    'users:\n  - name: u\n    user:\n      token: t',
    'contexts:\n  - name: ctx\n    context:\n      cluster: c\n      user: u',
    'current-context: ctx',
    '',
  ].join('\n'),
);
const NOT_MMDB = write('not-a-database.mmdb', 'this is not a MaxMind database\n'.repeat(100));
const ALERT_TOKEN = 'alert-token-0123456789abcdef';
const ADMIN_TOKEN = 'admin-token-0123456789abcdef';

/** The example config, listening on port 0 in one process, edited by `edit`, as a file. */
function configFile(edit: (d: Record<string, any>) => void): string {
  const doc = exampleDocument();
  doc.dns.listen = ['127.0.0.1:0'];
  doc.dns.workers = 1;
  doc.admin.listen = '127.0.0.1:0';
  edit(doc);
  return write('geosteer.yaml', stringify(doc));
}

/** Runs the compiled CLI with exactly `env` (plus PATH); never rejects. */
async function cli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', ['dist/cli.js', ...args], { env: { PATH: process.env.PATH!, ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const refusal = (file: string, problems: string[]) =>
  `${file}: ${problems.length} problem(s):\n${problems.map((p) => `  ${file}: ${p}\n`).join('')}geosteer: refusing to start with an invalid config\n`;

const cloudflare = (d: Record<string, any>) => (d.sync = { cloudflare: { zone_id: 'abc123', zone_name: 'example.com', owner_id: 'test', api_token_env: 'GEOSTEER_TEST_CF_TOKEN' } });
const kubernetes = (rc: Record<string, unknown>) => (d: Record<string, any>) => (d.sources = { kubernetes: { regions: { tokyo: rc } } });
const alertmanager = (d: Record<string, any>) => (d.health = { alertmanager: { token_env: 'GEOSTEER_TEST_ALERT_TOKEN' } });
// nothing listens on port 1: the password is checked before anything connects
const redisPassword = (d: Record<string, any>) => (d.state = { store: 'redis', url: 'redis://127.0.0.1:1', password_env: 'GEOSTEER_TEST_REDIS_PASSWORD' });
const REDIS_UNSET = 'state.password_env: environment variable GEOSTEER_TEST_REDIS_PASSWORD is not set; export the Redis password (requirepass, or the ACL password of the user in url) or remove password_env';
const BASE_ENV = { GEOSTEER_ADMIN_TOKEN: ADMIN_TOKEN };

const CASES: [string, (d: Record<string, any>) => void, Record<string, string>, string[]][] = [
  ['the Redis password variable is unset', redisPassword, {}, [REDIS_UNSET]],
  ['the Redis password variable is empty', redisPassword, { GEOSTEER_TEST_REDIS_PASSWORD: '' }, [REDIS_UNSET.replace('is not set', 'is empty')]],
  ['the Alertmanager token variable is unset', alertmanager, {}, ['health.alertmanager.token_env: environment variable GEOSTEER_TEST_ALERT_TOKEN is not set; export it or set health.alertmanager.token']],
  ['the Alertmanager token variable is short', alertmanager, { GEOSTEER_TEST_ALERT_TOKEN: 'short' }, ['health.alertmanager.token_env: environment variable GEOSTEER_TEST_ALERT_TOKEN is shorter than 16 characters; export it or set health.alertmanager.token']],
  ['the Cloudflare token variable is unset', cloudflare, {}, ['sync.cloudflare.api_token_env: environment variable GEOSTEER_TEST_CF_TOKEN is not set; export a Cloudflare API token with Zone.DNS edit rights']],
  ['the Cloudflare token variable is empty', cloudflare, { GEOSTEER_TEST_CF_TOKEN: '' }, ['sync.cloudflare.api_token_env: environment variable GEOSTEER_TEST_CF_TOKEN is not set; export a Cloudflare API token with Zone.DNS edit rights']],
  ['a kubeconfig file is missing', kubernetes({ kubeconfig: join(dir, 'missing.yaml') }), {}, [`sources.kubernetes.regions.tokyo.kubeconfig: ${join(dir, 'missing.yaml')} does not exist; point it at the region's kubeconfig file`]],
  ['a kubeconfig has no such context', kubernetes({ kubeconfig: KUBECONFIG, context: 'prod' }), {}, [`sources.kubernetes.regions.tokyo.context: no context "prod" in ${KUBECONFIG}; contexts: ctx`]],
  ['the GeoIP file is not a GeoIP database', (d) => (d.geoip = { database: NOT_MMDB }), {}, [`geoip.database: ${NOT_MMDB}: not a MaxMind DB (metadata marker not found); geoip.database must name a .mmdb file such as GeoLite2-Country.mmdb`]],
  ['the GeoIP file is missing', (d) => (d.geoip = { database: join(dir, 'missing.mmdb') }), {}, [`geoip.database: ${join(dir, 'missing.mmdb')}: cannot read the GeoIP database (ENOENT); check geoip.database, or run geoipupdate`]],
];

describe('check-config refuses what serve refuses, with the same message and exit code 2', () => {
  for (const [label, edit, env, problems] of CASES) {
    it(label, async () => {
      const file = configFile(edit);
      const checked = await cli(['check-config', file], { ...BASE_ENV, ...env });
      const served = await cli(['serve', '--config', file], { ...BASE_ENV, ...env });
      expect(checked).toEqual({ code: 2, stdout: '', stderr: refusal(file, problems) });
      expect(served).toEqual({ code: 2, stdout: '', stderr: refusal(file, problems) });
    });
  }

  it('every problem at once, in the same order, in both', async () => {
    const file = configFile((d) => {
      redisPassword(d);
      alertmanager(d);
      cloudflare(d);
      d.sources = { kubernetes: { regions: { tokyo: { kubeconfig: join(dir, 'missing.yaml') }, taiwan: { kubeconfig: KUBECONFIG, context: 'prod' } } } };
      d.geoip = { database: NOT_MMDB };
    });
    const problems = [
      REDIS_UNSET,
      'health.alertmanager.token_env: environment variable GEOSTEER_TEST_ALERT_TOKEN is not set; export it or set health.alertmanager.token',
      'sync.cloudflare.api_token_env: environment variable GEOSTEER_TEST_CF_TOKEN is not set; export a Cloudflare API token with Zone.DNS edit rights',
      `sources.kubernetes.regions.tokyo.kubeconfig: ${join(dir, 'missing.yaml')} does not exist; point it at the region's kubeconfig file`,
      `sources.kubernetes.regions.taiwan.context: no context "prod" in ${KUBECONFIG}; contexts: ctx`,
      `geoip.database: ${NOT_MMDB}: not a MaxMind DB (metadata marker not found); geoip.database must name a .mmdb file such as GeoLite2-Country.mmdb`,
    ];
    expect(await cli(['check-config', file], BASE_ENV)).toEqual({ code: 2, stdout: '', stderr: refusal(file, problems) });
    expect(await cli(['serve', '--config', file], BASE_ENV)).toEqual({ code: 2, stdout: '', stderr: refusal(file, problems) });
  });

  it('--offline skips what needs this machine\'s secrets and files, and names each', async () => {
    const file = configFile((d) => {
      redisPassword(d);
      alertmanager(d);
      cloudflare(d);
      d.sources = { kubernetes: { regions: { tokyo: { kubeconfig: join(dir, 'missing.yaml') } } } };
      d.geoip = { database: NOT_MMDB };
    });
    expect(await cli(['check-config', file, '--offline'], {})).toEqual({
      code: 0,
      stderr: '',
      stdout: [
        `${file}: OK (1 zone(s), 4 region(s), 1 steered name(s))`,
        `${file}: not checked (--offline): admin.tokens[0].token_env (GEOSTEER_ADMIN_TOKEN not read)`,
        `${file}: not checked (--offline): state.password_env (GEOSTEER_TEST_REDIS_PASSWORD not read)`,
        `${file}: not checked (--offline): health.alertmanager.token_env (GEOSTEER_TEST_ALERT_TOKEN not read)`,
        `${file}: not checked (--offline): sync.cloudflare.api_token_env (GEOSTEER_TEST_CF_TOKEN not read)`,
        `${file}: not checked (--offline): sources.kubernetes.regions.tokyo.kubeconfig (${join(dir, 'missing.yaml')} not read)`,
        `${file}: not checked (--offline): geoip.database (${NOT_MMDB} not opened)`,
        '',
      ].join('\n'),
    });
  });

  it('--offline still refuses what the file alone shows', async () => {
    const file = configFile((d) => (d.regions.tokyo.weight = 150));
    expect(await cli(['check-config', file, '--offline'], {})).toEqual({ code: 2, stdout: '', stderr: refusal(file, ['regions.tokyo.weight: expected number to be <=100, got 150']) });
  });
});

describe('admin tokens: serve starts without them and warns; check-config prints the same warning and passes', () => {
  let child: ReturnType<typeof spawn> | undefined;
  afterEach(() => {
    child?.kill('SIGKILL');
    child = undefined;
  });

  /** `serve` until its "geosteer serving" line; resolves with every warn-level message logged before it. */
  function serveWarnings(file: string, env: Record<string, string>): Promise<string[]> {
    const proc = spawn('node', ['dist/cli.js', 'serve', '--config', file], { env: { PATH: process.env.PATH!, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    const warnings: string[] = [];
    let out = '';
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no start line within 10 s:\n${out}`)), 10_000);
      proc.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        let nl: number;
        while ((nl = out.indexOf('\n')) >= 0) {
          const entry = JSON.parse(out.slice(0, nl)) as { level: number; msg: string };
          out = out.slice(nl + 1);
          if (entry.level === 40) warnings.push(entry.msg);
          if (entry.msg === 'geosteer serving') {
            clearTimeout(timer);
            resolve(warnings);
          }
        }
      });
      proc.on('exit', (code) => reject(new Error(`serve exited ${code} before serving:\n${out}`)));
    });
  }

  it.each([
    ['unset', {}, 'admin token ops disabled: environment variable GEOSTEER_ADMIN_TOKEN is not set'],
    ['shorter than 16 characters', { GEOSTEER_ADMIN_TOKEN: 'short' }, 'admin token ops disabled: GEOSTEER_ADMIN_TOKEN holds fewer than 16 characters'],
  ])('the admin token variable is %s', async (_label, env: Record<string, string>, warning) => {
    const file = configFile(() => {});
    expect(await cli(['check-config', file], env)).toEqual({ code: 0, stdout: `${file}: OK (1 zone(s), 4 region(s), 1 steered name(s))\n`, stderr: `${file}: warning: ${warning}\n` });
    expect(await serveWarnings(file, env)).toEqual([warning]);
  });

  it('no warning when the variable holds a token', async () => {
    const file = configFile(() => {});
    expect(await cli(['check-config', file], BASE_ENV)).toEqual({ code: 0, stdout: `${file}: OK (1 zone(s), 4 region(s), 1 steered name(s))\n`, stderr: '' });
    expect(await serveWarnings(file, BASE_ENV)).toEqual([]);
  });
});

it('the test env really reaches the CLI (a token that is set passes the Alertmanager check)', async () => {
  const file = configFile(alertmanager);
  expect((await cli(['check-config', file], { ...BASE_ENV, GEOSTEER_TEST_ALERT_TOKEN: ALERT_TOKEN })).code).toBe(0);
});

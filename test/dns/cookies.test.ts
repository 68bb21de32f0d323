import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/config/load.js';
import { ConfigError } from '../../src/shared/errors.js';
import { dig } from '../support/dig.js';
import { describeWithTool } from '../support/system-tool.js';
import { configProblems, exampleDocument, loadDocument, startServer, testDeps, type TestServer } from '../support/test-server.js';
import { buildService } from '../../src/service/build-service.js';

// DNS cookies (RFC 7873) with RFC 9018 server cookies, over real sockets with dig. The
// server's clock is injected: a cookie's timestamp is the clock's second.

const DIG = { command: 'dig', versionArgs: ['-v'], apt: 'dnsutils' };
const CLIENT = '0102030405060708';
const OLD = 'dd3bdf9344b678b185a6f5cb60fca715';
const NEW = '445536bcd2513298075a5d379663c962';
const T0 = 1_800_000_000_000;

/** A server with dns.cookies as given, its clock at `clock.now` (ms). */
async function cookieServer(cookies: Record<string, unknown>, clock: { now: number }, env: Record<string, string> = {}): Promise<TestServer> {
  const doc = exampleDocument();
  doc.dns.cookies = cookies;
  return startServer(doc, { clock: () => clock.now, env });
}

const stampOf = (cookie: string) => parseInt(cookie.slice(24, 32), 16);

describeWithTool('DNS cookies over UDP and TCP', DIG, () => {
  const clock = { now: T0 };
  let open: TestServer;
  let strict: TestServer;
  beforeAll(async () => {
    open = await cookieServer({}, clock);
    strict = await cookieServer({ require: true }, clock);
  });
  afterAll(async () => {
    await open?.close();
    await strict?.close();
  });

  it('a client cookie gets the client cookie back with a version 1 server cookie stamped now', async () => {
    const reply = await dig(open.port, [`+cookie=${CLIENT}`, 'api.example.com', 'A']);
    expect(reply.status).toBe('NOERROR');
    expect(reply.cookie).toMatch(new RegExp(`^${CLIENT}01000000[0-9a-f]{24}$`));
    expect(stampOf(reply.cookie!)).toBe(T0 / 1000);
  });

  it('no COOKIE option, no cookie in the reply; and a query without one is answered even with require', async () => {
    const reply = await dig(open.port, ['+nocookie', 'api.example.com', 'A']);
    expect([reply.status, reply.edns, reply.cookie]).toEqual(['NOERROR', true, undefined]);
    const strictReply = await dig(strict.port, ['+nocookie', 'api.example.com', 'A']);
    expect([strictReply.status, strictReply.counts.answer]).toEqual(['NOERROR', 1]);
  });

  it('a valid server cookie under half an hour old is echoed; older, a fresh one replaces it; past an hour it is invalid', async () => {
    const first = (await dig(open.port, [`+cookie=${CLIENT}`, 'api.example.com', 'A'])).cookie!;
    clock.now = T0 + 1800_000;
    expect((await dig(open.port, [`+cookie=${first}`, 'api.example.com', 'A'])).cookie).toBe(first);
    clock.now = T0 + 1801_000;
    const renewed = (await dig(open.port, [`+cookie=${first}`, 'api.example.com', 'A'])).cookie!;
    expect(stampOf(renewed)).toBe(T0 / 1000 + 1801);
    // the strict server shares nothing with the open one: its secret is its own
    const strictCookie = (await dig(strict.port, [`+cookie=${CLIENT}`, '+nobadcookie', 'api.example.com', 'A'])).cookie!;
    expect((await dig(strict.port, [`+cookie=${strictCookie}`, '+nobadcookie', 'api.example.com', 'A'])).status).toBe('NOERROR');
    expect((await dig(strict.port, [`+cookie=${first}`, '+nobadcookie', 'api.example.com', 'A'])).status).toBe('BADCOOKIE');
    clock.now = T0 + 1801_000 + 3601_000;
    expect((await dig(strict.port, [`+cookie=${strictCookie}`, '+nobadcookie', 'api.example.com', 'A'])).status).toBe('BADCOOKIE');
    clock.now = T0;
  });

  it('malformed COOKIE options are FORMERR, with an OPT but no cookie (RFC 7873 5.2.2)', async () => {
    // (dig refuses to send more than 40 octets; protocol-replies.test.ts sends 41)
    for (const bad of ['0102', '010203040506070809', '0102030405060708090a0b0c0d0e0f']) {
      const reply = await dig(open.port, [`+cookie=${bad}`, 'api.example.com', 'A']);
      expect([bad.length / 2, reply.status, reply.edns, reply.cookie]).toEqual([bad.length / 2, 'FORMERR', true, undefined]);
    }
  });

  it('a query with no question asks for a server cookie (RFC 7873 5.4): NOERROR, or BADCOOKIE for an invalid server cookie', async () => {
    const fresh = await dig(open.port, ['+header-only', `+cookie=${CLIENT}`, 'api.example.com']);
    expect([fresh.status, fresh.counts, fresh.cookie?.slice(0, 16)]).toEqual(['NOERROR', { query: 0, answer: 0, authority: 0, additional: 1 }, CLIENT]);
    expect((await dig(open.port, ['+header-only', `+cookie=${fresh.cookie}`, 'api.example.com'])).status).toBe('NOERROR');
    const forged = `${fresh.cookie!.slice(0, 32)}0000000000000000`;
    const bad = await dig(open.port, ['+header-only', `+cookie=${forged}`, '+nobadcookie', 'api.example.com']);
    expect([bad.status, bad.cookie]).toEqual(['BADCOOKIE', fresh.cookie]);
    // without any cookie such a message is malformed, as before
    expect((await dig(open.port, ['+header-only', '+nocookie', 'api.example.com'])).status).toBe('FORMERR');
  });

  it('require: BADCOOKIE over UDP until the client returns our cookie (dig retries by itself), never over TCP', async () => {
    const refused = await dig(strict.port, [`+cookie=${CLIENT}`, '+nobadcookie', 'api.example.com', 'A']);
    expect([refused.status, refused.counts.answer, refused.cookie?.slice(0, 16)]).toEqual(['BADCOOKIE', 0, CLIENT]);
    const retried = await dig(strict.port, [`+cookie=${CLIENT}`, 'api.example.com', 'A']);
    expect(retried.text).toContain(';; BADCOOKIE, retrying.');
    expect([retried.status, retried.answers]).toEqual(['NOERROR', ['api.example.com. 30 IN A 198.51.100.10']]);
    const tcp = await dig(strict.port, [`+cookie=${CLIENT}`, '+tcp', '+nobadcookie', 'api.example.com', 'A']);
    expect([tcp.status, tcp.counts.answer, tcp.cookie?.slice(0, 16)]).toEqual(['NOERROR', 1, CLIENT]);
  });

  it('error replies carry the cookie too: REFUSED, NXDOMAIN, NOTIMP', async () => {
    for (const args of [['www.example.org', 'A'], ['nope.example.com', 'A'], ['+opcode=status', 'api.example.com', 'A']]) {
      const reply = await dig(open.port, [`+cookie=${CLIENT}`, ...args]);
      expect(reply.cookie?.slice(0, 16)).toBe(CLIENT);
    }
  });
});

describeWithTool('DNS cookie secrets', DIG, () => {
  const clock = { now: T0 };
  const dir = mkdtempSync(join(tmpdir(), 'geosteer-cookies-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('cookies: enabled false: no cookie, and a question-less query is FORMERR', async () => {
    const off = await cookieServer({ enabled: false }, clock);
    try {
      expect((await dig(off.port, [`+cookie=${CLIENT}`, 'api.example.com', 'A'])).cookie).toBeUndefined();
      expect((await dig(off.port, ['+header-only', `+cookie=${CLIENT}`, 'api.example.com'])).status).toBe('FORMERR');
    } finally {
      await off.close();
    }
  });

  it('a rollover: "NEW OLD" accepts cookies made with OLD and hands out NEW ones, which a NEW-only server accepts', async () => {
    const before = await cookieServer({ secret_env: 'COOKIE_SECRET', require: true }, clock, { COOKIE_SECRET: OLD });
    const during = await cookieServer({ secret_env: 'COOKIE_SECRET', require: true }, clock, { COOKIE_SECRET: `${NEW} ${OLD}` });
    writeFileSync(join(dir, 'secret'), `${NEW}\n`);
    const after = await cookieServer({ secret_file: join(dir, 'secret'), require: true }, clock);
    try {
      const old = (await dig(before.port, [`+cookie=${CLIENT}`, '+nobadcookie', 'api.example.com', 'A'])).cookie!;
      const rolled = await dig(during.port, [`+cookie=${old}`, '+nobadcookie', 'api.example.com', 'A']);
      expect(rolled.status).toBe('NOERROR');
      expect(rolled.cookie).not.toBe(old);
      expect((await dig(after.port, [`+cookie=${rolled.cookie}`, '+nobadcookie', 'api.example.com', 'A'])).status).toBe('NOERROR');
      expect((await dig(after.port, [`+cookie=${old}`, '+nobadcookie', 'api.example.com', 'A'])).status).toBe('BADCOOKIE');
    } finally {
      await Promise.all([before.close(), during.close(), after.close()]);
    }
  });

  it('the generated secret survives a config reload, and its cookies stay valid until the rotation after next', async () => {
    const path = join(dir, 'geosteer.yaml');
    const doc = exampleDocument();
    doc.dns.cookies = { require: true, rotation: '1h' };
    doc.geoip = { database: 'bundled' };
    writeFileSync(path, stringify(doc));
    const server = await startServer(await loadConfigFile(path), { clock: () => clock.now });
    try {
      clock.now = T0;
      const cookie = (await dig(server.port, [`+cookie=${CLIENT}`, '+nobadcookie', 'api.example.com', 'A'])).cookie!;
      expect((await server.service.reload('test')).ok).toBe(true);
      clock.now = T0 + 3000_000; // next rotation period: the previous key is still accepted
      expect((await dig(server.port, [`+cookie=${cookie}`, '+nobadcookie', 'api.example.com', 'A'])).status).toBe('NOERROR');
    } finally {
      clock.now = T0;
      await server.close();
    }
  });
});

describe('cookie secrets that cannot be used stop serve with the config path', () => {
  const refused = async (cookies: Record<string, unknown>, env: Record<string, string> = {}) => {
    const doc = exampleDocument();
    doc.dns.cookies = cookies;
    try {
      await buildService(loadDocument(doc), await testDeps({ env }));
    } catch (err) {
      if (err instanceof ConfigError) return [...err.problems];
      throw err;
    }
    return [];
  };

  it.each([
    [{ secret_env: 'NOPE' }, {}, 'dns.cookies.secret_env: environment variable NOPE is not set; export the shared cookie secret (32 hex digits), or remove secret_env to use a random one'],
    [{ secret_env: 'S' }, { S: 'abc' }, 'dns.cookies.secret_env: S: expected a 128-bit secret as 32 hex digits (e.g. from `openssl rand -hex 16`), got 3 characters'],
    [{ secret_env: 'S' }, { S: `${NEW.slice(0, 31)}x` }, 'dns.cookies.secret_env: S: expected a 128-bit secret as 32 hex digits (e.g. from `openssl rand -hex 16`), got 32 characters that are not all hex digits'],
    [{ secret_env: 'S' }, { S: [NEW, OLD, NEW, OLD].join(',') }, 'dns.cookies.secret_env: S holds 4 secrets; expected at most 3 (the one in use, then those still accepted)'],
    [{ secret_file: '/nonexistent/cookie' }, {}, 'dns.cookies.secret_file: cannot read /nonexistent/cookie (ENOENT)'],
  ])('%j %j', async (cookies, env, problem) => {
    expect(await refused(cookies, env)).toEqual([problem]);
  });
});

describe('dns identity options are validated with the config path', () => {
  it.each([
    [{ nsid: 'x'.repeat(129) }, 'dns.nsid: expected at most 128 octets, got 129'],
    [{ nsid: '' }, 'dns.nsid: expected string to have >=1 characters, got ""'],
    [{ version: 42 }, 'dns.version: expected string, got 42'],
    [{ cookies: { rotation: '30m' } }, 'dns.cookies.rotation: expected at least 1h, the lifetime of a server cookie (RFC 9018 4.3)'],
    [{ cookies: { secret_env: 'A', secret_file: 'b' } }, 'dns.cookies: give secret_env or secret_file, not both'],
    [{ cookies: { secret_env: 'not a name' } }, 'dns.cookies.secret_env: expected an environment variable name'],
    [{ cookies: { require: 'yes' } }, 'dns.cookies.require: expected boolean, got "yes"'],
    [{ ecs: { private: 'drop' } }, 'dns.ecs.private: expected one of "source_address", "as_is", got "drop"'],
    [{ ecs: { scope_beyond: true } }, 'dns.ecs: unknown key "scope_beyond"'],
  ])('%j', (dns, problem) => {
    expect(configProblems((doc) => Object.assign(doc.dns, dns))).toEqual([problem]);
  });
});

import { describe, expect, it } from 'vitest';
import { CookieCheck, ServerCookies } from '../../src/dns/server-cookies.js';
import { parseIPv6 } from '../../src/shared/ip-address.js';

// RFC 9018 Appendix A: the exchanges of the RFC, byte for byte, through the hot path's
// checker (the option data as it sits in a query, the client address as octets).

const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
const v4 = (text: string) => Uint8Array.from(text.split('.').map(Number));
function v6(text: string): Uint8Array {
  const out = new Uint8Array(16);
  parseIPv6(text, out, 0);
  return out;
}
const secrets = (...s: string[]) => new ServerCookies({ kind: 'configured', secrets: s.map(hex) });

/** The checker's verdict and the reply's COOKIE data (client cookie echoed, then the server cookie). */
function exchange(cookies: ServerCookies, option: string, ip: Uint8Array, now: number): { check: CookieCheck; reply: string } {
  const msg = new Uint8Array(64).fill(0xaa);
  const data = hex(option);
  msg.set(data, 5);
  const out = new Uint8Array(16);
  const check = cookies.check(msg, 5, data.length, ip, 0, ip.length, now, out);
  return { check, reply: option.slice(0, 16) + Buffer.from(out).toString('hex') };
}

describe('server cookies (RFC 9018 Appendix A)', () => {
  const A = secrets('e5e973e5a6b2a43f48e7dc849e37bfcf');

  it('A.1: a client cookie alone gets a fresh server cookie', () => {
    expect(exchange(A, '2464c4abcf10c957', v4('198.51.100.100'), 1559731985)).toEqual({ check: CookieCheck.ClientOnly, reply: '2464c4abcf10c957010000005cf79f111f8130c3eee29480' });
  });

  it('A.2: a valid cookie 40 minutes old is renewed', () => {
    expect(exchange(A, '2464c4abcf10c957010000005cf79f111f8130c3eee29480', v4('198.51.100.100'), 1559734385)).toEqual({
      check: CookieCheck.Valid,
      reply: '2464c4abcf10c957010000005cf7a871d4a564a1442aca77',
    });
  });

  it('a valid cookie under half an hour old is echoed as it came', () => {
    expect(exchange(A, '2464c4abcf10c957010000005cf79f111f8130c3eee29480', v4('198.51.100.100'), 1559731985 + 1800)).toEqual({
      check: CookieCheck.Valid,
      reply: '2464c4abcf10c957010000005cf79f111f8130c3eee29480',
    });
  });

  it('A.3: a cookie older than an hour is no longer valid; the reply carries a fresh one', () => {
    expect(exchange(A, 'fc93fc62807ddb8601abcdef5cf78f71a314227b6679ebf5', v4('203.0.113.203'), 1559734700)).toEqual({
      check: CookieCheck.Invalid,
      reply: 'fc93fc62807ddb86010000005cf7a9acf73a7810aca2381e',
    });
  });

  it('A.3: the reserved octets the client sent are part of the hash (valid within the hour)', () => {
    expect(exchange(A, 'fc93fc62807ddb8601abcdef5cf78f71a314227b6679ebf5', v4('203.0.113.203'), 0x5cf78f71 + 60).check).toBe(CookieCheck.Valid);
    expect(exchange(A, 'fc93fc62807ddb8601abcdef5cf78f71a314227b6679ebf5', v4('203.0.113.204'), 0x5cf78f71 + 60).check).toBe(CookieCheck.Invalid);
  });

  it('A.4: after a secret rollover the old secret is still accepted and the new one makes the reply (IPv6)', () => {
    const rolled = secrets('445536bcd2513298075a5d379663c962', 'dd3bdf9344b678b185a6f5cb60fca715');
    expect(exchange(rolled, '22681ab97d52c298010000005cf7c57926556bd0934c72f8', v6('2001:db8:220:1:59de:d0f4:8769:82b8'), 1559741961)).toEqual({
      check: CookieCheck.Valid,
      reply: '22681ab97d52c298010000005cf7c609a6bb79d16625507a',
    });
    // without the old secret the same cookie is not ours
    expect(exchange(secrets('445536bcd2513298075a5d379663c962'), '22681ab97d52c298010000005cf7c57926556bd0934c72f8', v6('2001:db8:220:1:59de:d0f4:8769:82b8'), 1559741961).check).toBe(CookieCheck.Invalid);
  });

  it('accepts an hour in the past and five minutes ahead, across the 32-bit wrap (RFC 9018 4.3)', () => {
    const made = exchange(A, '0102030405060708', v4('192.0.2.1'), 4294964696).reply;
    expect(exchange(A, made, v4('192.0.2.1'), 1000).check).toBe(CookieCheck.Valid); // 3600 s later, past 2^32
    expect(exchange(A, made, v4('192.0.2.1'), 1001).check).toBe(CookieCheck.Invalid);
    expect(exchange(A, made, v4('192.0.2.1'), 4294964696 - 300).check).toBe(CookieCheck.Valid);
    expect(exchange(A, made, v4('192.0.2.1'), 4294964696 - 301).check).toBe(CookieCheck.Invalid);
  });

  it('a server cookie of another length or version is not ours', () => {
    expect(exchange(A, '2464c4abcf10c9570102030405060708', v4('198.51.100.100'), 1559731985).check).toBe(CookieCheck.Invalid);
    expect(exchange(A, '2464c4abcf10c957020000005cf79f111f8130c3eee29480', v4('198.51.100.100'), 1559731985).check).toBe(CookieCheck.Invalid);
  });

  it('a generated secret: a key per rotation period, the previous period still accepted, none from a process with another master', () => {
    const master = hex('00112233445566778899aabbccddeeff');
    const gen = new ServerCookies({ kind: 'generated', master, rotationSeconds: 3600 });
    const start = 1_800_000_000 - 10; // ten seconds before a period boundary
    const made = exchange(gen, '0102030405060708', v4('192.0.2.1'), start).reply;
    expect(exchange(gen, made, v4('192.0.2.1'), start + 20)).toEqual({ check: CookieCheck.Valid, reply: expect.not.stringContaining(made.slice(16)) });
    const again = new ServerCookies({ kind: 'generated', master, rotationSeconds: 3600 });
    expect(exchange(again, made, v4('192.0.2.1'), start + 20).check).toBe(CookieCheck.Valid);
    const other = new ServerCookies({ kind: 'generated', master: hex('ffeeddccbbaa99887766554433221100'), rotationSeconds: 3600 });
    expect(exchange(other, made, v4('192.0.2.1'), start + 20).check).toBe(CookieCheck.Invalid);
  });
});

import { describe, expect, it } from 'vitest';
import { allows, authenticate, resolveTokens } from '../../src/admin/auth.js';
import { pino } from 'pino';
import { Writable } from 'node:stream';

function capturingLogger() {
  const lines: any[] = [];
  const stream = new Writable({ write(chunk, _enc, cb) { lines.push(JSON.parse(chunk.toString())); cb(); } });
  return { log: pino({ level: 'warn' }, stream), lines };
}

describe('admin tokens', () => {
  const secret = 'abcdefghijklmnop-0123';
  it('resolves inline and environment secrets; an unset variable disables the token with a warning', () => {
    const { log, lines } = capturingLogger();
    const tokens = resolveTokens(
      [
        { name: 'inline', scope: 'read', token: secret },
        { name: 'from-env', scope: 'write', token_env: 'GS_TEST_TOKEN' },
        { name: 'unset', scope: 'write', token_env: 'GS_TEST_UNSET' },
      ],
      { GS_TEST_TOKEN: 'env-secret-0123456789' },
      log,
    );
    expect(tokens.map((t) => [t.name, t.scope])).toEqual([['inline', 'read'], ['from-env', 'write']]);
    expect(lines.map((l) => l.msg)).toEqual(['admin token unset disabled: environment variable GS_TEST_UNSET is not set']);
    expect(authenticate('Bearer env-secret-0123456789', tokens)?.name).toBe('from-env');
    expect(authenticate(`bearer ${secret}`, tokens)?.name).toBe('inline');
  });

  it('rejects missing, malformed, wrong and prefix-of-right tokens', () => {
    const { log } = capturingLogger();
    const tokens = resolveTokens([{ name: 'a', scope: 'write', token: secret }], {}, log);
    for (const header of [undefined, '', secret, `Basic ${secret}`, 'Bearer ', `Bearer ${secret.slice(0, -1)}`, `Bearer ${secret}x`, `Bearer ${secret} extra`]) {
      expect(authenticate(header, tokens), String(header)).toBeUndefined();
    }
  });

  it('write includes read, read does not include write', () => {
    expect([allows('write', 'write'), allows('write', 'read'), allows('read', 'read'), allows('read', 'write')]).toEqual([true, true, true, false]);
  });
});

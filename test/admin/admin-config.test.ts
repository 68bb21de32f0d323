import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/shared/errors.js';
import { exampleDocument, loadDocument } from '../support/test-server.js';

function problemsOf(admin: unknown): readonly string[] {
  try {
    loadDocument({ ...exampleDocument(), admin });
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

describe('admin config section', () => {
  it('the example config: write token from GEOSTEER_ADMIN_TOKEN, metrics/healthz/readyz open', () => {
    const { config } = loadDocument(exampleDocument());
    expect(config.admin).toEqual({ listen: '127.0.0.1:8053', tokens: [{ name: 'ops', scope: 'write', token_env: 'GEOSTEER_ADMIN_TOKEN' }], open_endpoints: ['metrics', 'healthz', 'readyz'] });
  });

  it('defaults: listen 127.0.0.1:8053, no tokens, healthz and readyz open', () => {
    expect(loadDocument({ ...exampleDocument(), admin: {} }).config.admin).toEqual({ listen: '127.0.0.1:8053', tokens: [], open_endpoints: ['healthz', 'readyz'] });
  });

  const cases: [string, unknown, string][] = [
    ['both token and token_env', { tokens: [{ name: 'a', scope: 'read', token: 'x'.repeat(16), token_env: 'X' }] }, 'admin.tokens[0]: give exactly one of token or token_env'],
    ['neither', { tokens: [{ name: 'a', scope: 'read' }] }, 'admin.tokens[0]: give exactly one of token or token_env'],
    ['short inline token', { tokens: [{ name: 'a', scope: 'read', token: 'short' }] }, 'admin.tokens[0].token: expected a token of at least 16 characters'],
    ['bad scope', { tokens: [{ name: 'a', scope: 'admin', token_env: 'X' }] }, 'admin.tokens[0].scope: expected one of "read", "write", got "admin"'],
    ['duplicate names', { tokens: [{ name: 'a', scope: 'read', token_env: 'X' }, { name: 'a', scope: 'write', token_env: 'Y' }] }, 'admin.tokens[1].name: token name "a" is used twice'],
    ['unknown open endpoint', { open_endpoints: ['metrics', 'regions'] }, 'admin.open_endpoints[1]: expected one of "metrics", "healthz", "readyz", got "regions"'],
    ['bad listen', { listen: '8053' }, 'admin.listen: expected host:port'],
    ['unknown key', { listen: '127.0.0.1:8053', port: 8053 }, 'admin: unknown key "port"'],
  ];
  for (const [label, admin, message] of cases) {
    it(`rejects ${label}`, () => {
      expect(problemsOf(admin).join('\n')).toContain(message);
    });
  }
});

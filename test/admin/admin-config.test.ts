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
    expect(config.admin).toEqual({ listen: '127.0.0.1:8053', tokens: [{ name: 'ops', scope: 'write', token_env: 'GEOSTEER_ADMIN_TOKEN' }], open_endpoints: ['metrics', 'healthz', 'readyz'], trusted_proxies: [] });
  });

  it('defaults: listen 127.0.0.1:8053, no tokens, healthz and readyz open', () => {
    expect(loadDocument({ ...exampleDocument(), admin: {} }).config.admin).toEqual({ listen: '127.0.0.1:8053', tokens: [], open_endpoints: ['healthz', 'readyz'], trusted_proxies: [] });
  });

  it('tls, client certificates, the open listener and trusted proxies', () => {
    const admin = {
      tls: { cert_file: '/etc/geosteer/tls.crt', key_file: '/etc/geosteer/tls.key', client_ca_file: '/etc/geosteer/ca.crt', client_certificates: [{ name: 'ops-laptop', scope: 'write', common_name: 'ops.example.com' }] },
      open_listen: '0.0.0.0:9153',
      trusted_proxies: ['10.0.0.0/8', '2001:db8::1'],
    };
    expect(loadDocument({ ...exampleDocument(), admin }).config.admin).toMatchObject(admin);
  });

  it('state.readiness defaults to report; health.alertmanager.max_body to 4 MiB and takes KiB/MiB', () => {
    const { config } = loadDocument(exampleDocument());
    expect(config.state.readiness).toBe('report');
    const doc = { ...exampleDocument(), health: { alertmanager: { token: 'x'.repeat(16) } } };
    expect(loadDocument(doc).config.health.alertmanager?.max_body).toBe(4 * 1024 * 1024);
    for (const [given, bytes] of [['512KiB', 524_288], ['8MiB', 8_388_608], [65536, 65536]] as const) {
      doc.health.alertmanager = { token: 'x'.repeat(16), max_body: given } as never;
      expect(loadDocument(doc).config.health.alertmanager?.max_body).toBe(bytes);
    }
  });

  const other: [string, (doc: Record<string, any>) => void, string][] = [
    ['readiness neither report nor gate', (d) => (d.state = { readiness: 'block' }), 'state.readiness: expected one of "report", "gate", got "block"'],
    ['max_body as text without a unit', (d) => (d.health = { alertmanager: { token: 'x'.repeat(16), max_body: '4M' } }), 'health.alertmanager.max_body: expected a size 1KiB..256MiB as bytes or like 512KiB, 4MiB, got "4M"'],
    ['max_body too small', (d) => (d.health = { alertmanager: { token: 'x'.repeat(16), max_body: 100 } }), 'health.alertmanager.max_body: expected a size 1KiB..256MiB'],
    ['max_body too large', (d) => (d.health = { alertmanager: { token: 'x'.repeat(16), max_body: '1024MiB' } }), 'health.alertmanager.max_body: expected a size 1KiB..256MiB'],
  ];
  for (const [label, edit, message] of other) {
    it(`rejects ${label}`, () => {
      const doc = exampleDocument();
      edit(doc);
      let problems: readonly string[] = [];
      try {
        loadDocument(doc);
      } catch (err) {
        problems = (err as ConfigError).problems;
      }
      expect(problems.join('\n')).toContain(message);
    });
  }

  const cases: [string, unknown, string][] = [
    ['both token and token_env', { tokens: [{ name: 'a', scope: 'read', token: 'x'.repeat(16), token_env: 'X' }] }, 'admin.tokens[0]: give exactly one of token or token_env'],
    ['neither', { tokens: [{ name: 'a', scope: 'read' }] }, 'admin.tokens[0]: give exactly one of token or token_env'],
    ['short inline token', { tokens: [{ name: 'a', scope: 'read', token: 'short' }] }, 'admin.tokens[0].token: expected a token of at least 16 characters'],
    ['bad scope', { tokens: [{ name: 'a', scope: 'admin', token_env: 'X' }] }, 'admin.tokens[0].scope: expected one of "read", "write", got "admin"'],
    ['duplicate names', { tokens: [{ name: 'a', scope: 'read', token_env: 'X' }, { name: 'a', scope: 'write', token_env: 'Y' }] }, 'admin.tokens[1].name: name "a" is used twice'],
    ['a client certificate named like a token', { tokens: [{ name: 'ops', scope: 'read', token_env: 'X' }], tls: { cert_file: 'c', key_file: 'k', client_ca_file: 'ca', client_certificates: [{ name: 'ops', scope: 'write', common_name: 'ops' }] } }, 'admin.tls.client_certificates[0].name: name "ops" is used twice (tokens and client certificates)'],
    ['client certificates without a CA', { tls: { cert_file: 'c', key_file: 'k', client_certificates: [{ name: 'ops', scope: 'write', common_name: 'ops' }] } }, 'admin.tls.client_certificates: needs client_ca_file'],
    ['tls without key_file', { tls: { cert_file: 'c' } }, 'admin.tls.key_file'],
    ['a client certificate scope', { tls: { cert_file: 'c', key_file: 'k', client_ca_file: 'ca', client_certificates: [{ name: 'x', scope: 'root', common_name: 'x' }] } }, 'admin.tls.client_certificates[0].scope: expected one of "read", "write", got "root"'],
    ['a trusted proxy that is not an address', { trusted_proxies: ['10.0.0.0/33'] }, 'admin.trusted_proxies[0]: expected an IP address or CIDR block like 10.0.0.0/8, got "10.0.0.0/33"'],
    ['a bad open_listen', { open_listen: 'everywhere' }, 'admin.open_listen: expected host:port'],
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

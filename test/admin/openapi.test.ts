import { createConfig, lintFromString } from '@redocly/openapi-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminDocument, READ, startAdmin, type AdminHarness } from './admin-harness.js';

// Issue 15 item 12: /v1/openapi.json is complete and passes a real OpenAPI linter (Redocly,
// its recommended rules) with no error and no warning.

let h: AdminHarness;
let document: Record<string, any>;
let text: string;
beforeAll(async () => {
  const doc = adminDocument();
  doc.health = { alertmanager: { token: 'alert-token-0123456789abcdef' } };
  h = await startAdmin(doc);
  const r = await h.admin.inject({ method: 'GET', url: '/v1/openapi.json', headers: READ });
  text = r.body;
  document = r.json();
});
afterAll(() => h.close());

/** Every operation of the document, as [METHOD path, operation]. */
function operations(): [string, Record<string, any>][] {
  return Object.entries(document.paths as Record<string, Record<string, any>>).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => [`${method.toUpperCase()} ${path}`, op] as [string, Record<string, any>]));
}

describe('/v1/openapi.json', () => {
  it('passes Redocly\'s recommended rules: no errors, no warnings', async () => {
    const config = await createConfig({ extends: ['recommended'] });
    const problems = await lintFromString({ source: text, absoluteRef: 'openapi.json', config });
    expect(problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`)).toEqual([]);
  });

  it('has every route, each with an operationId and its error answers in the error schema', () => {
    expect(operations().map(([name]) => name).sort()).toEqual([
      'DELETE /v1/regions/{region}/drain',
      'DELETE /v1/regions/{region}/weight',
      'GET /healthz',
      'GET /metrics',
      'GET /readyz',
      'GET /v1/events',
      'GET /v1/explain',
      'GET /v1/names',
      'GET /v1/names/{name}',
      'GET /v1/regions',
      'GET /v1/regions/{region}',
      'GET /v1/sync',
      'POST /v1/alerts/alertmanager',
      'POST /v1/reload',
      'POST /v1/state/reset',
      'PUT /v1/regions/{region}/drain',
      'PUT /v1/regions/{region}/weight',
    ]);
    const ids = operations().map(([, op]) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    // the error statuses each route declares: reads 400/401, writes also 403 (token without write), 409 (a guard), 503 (state store)
    const declared = Object.fromEntries(operations().map(([name, op]) => [name, Object.keys(op.responses).filter((s) => s >= '400')]));
    const WRITE = ['400', '401', '403', '404', '409', '503'];
    expect(declared).toEqual({
      'GET /healthz': ['401', '403'],
      'GET /readyz': ['401', '403', '503'],
      'GET /metrics': ['401', '403', '404'],
      'GET /v1/regions': ['400', '401'],
      'GET /v1/regions/{region}': ['400', '401', '404'],
      'PUT /v1/regions/{region}/weight': WRITE,
      'DELETE /v1/regions/{region}/weight': WRITE,
      'PUT /v1/regions/{region}/drain': WRITE,
      'DELETE /v1/regions/{region}/drain': WRITE,
      'GET /v1/names': ['400', '401'],
      'GET /v1/names/{name}': ['400', '401', '404'],
      'GET /v1/explain': ['400', '401', '404'],
      'GET /v1/events': ['400', '401', '503'],
      'POST /v1/reload': ['400', '401', '403', '422', '503'],
      'POST /v1/state/reset': ['400', '401', '403', '409', '503'],
      'GET /v1/sync': ['400', '401'],
      'POST /v1/alerts/alertmanager': ['400', '401', '404', '413'],
    });
    for (const [name, op] of operations()) {
      const errors = declared[name];
      // /readyz's 503 is the readiness body (what is not ready), not an error
      for (const s of errors.filter((e) => !(name === 'GET /readyz' && e === '503'))) expect(op.responses[s].content['application/json'].schema, `${name} ${s}`).toEqual({ $ref: '#/components/schemas/Error' });
    }
    expect(document.components.schemas.Error).toMatchObject({ required: ['error', 'message'] });
  });

  it('documents what the routes take: reasons on every write, the webhook body, the reset decision', () => {
    for (const [name, op] of operations()) {
      if (!/^(PUT|POST|DELETE) \/v1\/(regions|reload|state)/.test(name)) continue;
      const reason = op.requestBody?.content['application/json'].schema.properties.reason ?? op.parameters?.find((p: any) => p.name === 'reason')?.schema;
      expect(reason, name).toMatchObject({ type: 'string', minLength: 1, maxLength: 500, 'x-printable': true });
    }
    const reset = document.paths['/v1/state/reset'].post.requestBody.content['application/json'].schema;
    expect(reset).toMatchObject({ required: ['decision', 'reason'], additionalProperties: false, properties: { decision: { enum: ['republish', 'adopt'] } } });
    const webhook = document.paths['/v1/alerts/alertmanager'].post;
    expect(webhook.security).toEqual([{ alertmanager: [] }]);
    expect(webhook.requestBody.content['application/json'].schema.properties.version).toEqual({ type: 'string', enum: ['4'] });
  });
});

// The parts of /v1/openapi.json that no route states: info, servers, tags, security schemes.
// The paths come from the route schemas (@fastify/swagger); test/admin/openapi.test.ts
// lints the result with Redocly's recommended rules.

/** What @fastify/swagger starts the document from. */
export const OPENAPI_DOCUMENT = {
  info: {
    title: 'geosteer admin API',
    version: '1',
    description: 'Weights, drains, explain, events, reload, state store reset, health and metrics of a geosteer instance, and the Alertmanager webhook.',
    license: { name: 'Apache-2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' },
  },
  servers: [
    {
      url: '{scheme}://{listen}',
      description: 'This instance: admin.listen (https with admin.tls)',
      variables: { scheme: { default: 'http', enum: ['http', 'https'] }, listen: { default: '127.0.0.1:8053', description: 'admin.listen' } },
    },
  ],
  tags: [
    { name: 'regions', description: 'Regions: endpoints, health, weights and drains' },
    { name: 'names', description: 'Steered names and where each rule answers now' },
    { name: 'explain', description: 'Why a client gets the answer it gets' },
    { name: 'events', description: 'Transitions and the audit log' },
    { name: 'config', description: 'Reloading the config file' },
    { name: 'state', description: 'The shared state store (Redis)' },
    { name: 'sync', description: 'The Cloudflare sync' },
    { name: 'health', description: 'Liveness, readiness, metrics and the Alertmanager webhook' },
  ],
  components: {
    securitySchemes: {
      bearer: { type: 'http' as const, scheme: 'bearer', description: 'An admin token (admin.tokens); or a client certificate listed in admin.tls.client_certificates' },
      alertmanager: { type: 'http' as const, scheme: 'bearer', description: 'The health.alertmanager token' },
    },
  },
  security: [{ bearer: [] }],
};

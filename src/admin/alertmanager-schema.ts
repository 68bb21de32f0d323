// Alertmanager's webhook body, version 4, as JSON schema for /v1/openapi.json
// (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config). Objects stay
// open: Alertmanager adds fields over time and a receiver must tolerate them.

const labels = { type: 'object', additionalProperties: { type: 'string' } } as const;

/** One alert of a webhook post. */
const alert = {
  type: 'object',
  required: ['status', 'labels'],
  additionalProperties: true,
  properties: {
    status: { type: 'string', enum: ['firing', 'resolved'] },
    labels: { ...labels, description: 'The label named by health.alertmanager.label (default region) names a region, an endpoint, or region/endpoint' },
    annotations: labels,
    startsAt: { type: 'string', format: 'date-time' },
    endsAt: { type: 'string', format: 'date-time' },
    generatorURL: { type: 'string' },
    fingerprint: { type: 'string' },
  },
} as const;

/** The whole post: one alert group. */
export const alertmanagerPayloadSchema = {
  type: 'object',
  required: ['version', 'status', 'alerts'],
  additionalProperties: true,
  properties: {
    version: { type: 'string', enum: ['4'] },
    groupKey: { type: 'string' },
    truncatedAlerts: { type: 'integer', minimum: 0 },
    status: { type: 'string', enum: ['firing', 'resolved'] },
    receiver: { type: 'string' },
    groupLabels: labels,
    commonLabels: labels,
    commonAnnotations: labels,
    externalURL: { type: 'string' },
    alerts: { type: 'array', maxItems: 10000, items: alert },
  },
} as const;

import { z } from 'zod';

// Alertmanager's webhook body, version 4
// (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config). Objects are
// not strict: Alertmanager adds fields over time and a receiver must tolerate them.

const labelSet = z.record(z.string(), z.string());

const alertSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: labelSet,
  annotations: labelSet.optional(),
  startsAt: z.string().optional(),
  endsAt: z.string().optional(),
  fingerprint: z.string().min(1).optional(),
});

const payloadSchema = z.object({
  version: z.literal('4'),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string().optional(),
  groupKey: z.string().optional(),
  alerts: z.array(alertSchema).max(10_000),
});

/** One alert of a webhook post. */
export interface AlertInput {
  readonly status: 'firing' | 'resolved';
  /** Alertmanager's fingerprint, or one made from the sorted labels. */
  readonly fingerprint: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** The alerts of a valid post, or every problem of an invalid one (each `path: what is wrong`). */
export function parseAlertPayload(body: unknown): { ok: true; alerts: AlertInput[] } | { ok: false; problems: string[] } {
  const parsed = payloadSchema.safeParse(body);
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'body'}: ${i.message}`) };
  }
  return {
    ok: true,
    alerts: parsed.data.alerts.map((a) => ({
      status: a.status,
      labels: a.labels,
      fingerprint: a.fingerprint ?? JSON.stringify(Object.entries(a.labels).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))),
    })),
  };
}

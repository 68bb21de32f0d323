import type { TLSSocket } from 'node:tls';
import type { AdminTlsConfig } from '../config/schema.js';
import type { AdminIdentity } from './auth.js';

/** A client certificate that acts like a token: its subject CN, and the name and scope it stands for. */
export type ClientCertificateRule = AdminTlsConfig['client_certificates'][number];

/**
 * The identity a request's client certificate gives, or undefined. Only a certificate that
 * the TLS handshake verified against admin.tls.client_ca_file counts (`socket.authorized`);
 * its subject CN must be listed exactly once in `rules`.
 */
export function certificateIdentity(socket: unknown, rules: readonly ClientCertificateRule[]): AdminIdentity | undefined {
  const tls = socket as Partial<TLSSocket>;
  if (rules.length === 0 || tls.authorized !== true || typeof tls.getPeerCertificate !== 'function') return undefined;
  const cn = tls.getPeerCertificate().subject?.CN;
  // A subject with several CNs comes as an array: ambiguous, so it names nobody.
  if (typeof cn !== 'string') return undefined;
  const rule = rules.find((r) => r.common_name === cn);
  return rule ? { name: rule.name, scope: rule.scope, via: 'client_certificate' } : undefined;
}

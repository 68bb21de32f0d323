import { createHash, timingSafeEqual } from 'node:crypto';
import type { AdminTokenConfig } from '../config/schema.js';
import type { Logger } from '../shared/logger.js';

/** What a token may do; write includes read. */
export type TokenScope = 'read' | 'write';

/** Who a request acts as, by name (written into audit entries) and scope, and how it proved it. */
export interface AdminIdentity {
  readonly name: string;
  readonly scope: TokenScope;
  readonly via: 'token' | 'client_certificate';
}

/** A usable bearer token: its name (for audit), scope, and the SHA-256 of the secret. */
export interface AdminToken {
  readonly name: string;
  readonly scope: TokenScope;
  readonly digest: Buffer;
}

function digestOf(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/**
 * Resolves the configured tokens: inline secrets, or secrets from the environment. A token
 * whose environment variable is unset or empty is left out with a warning, so the server
 * still starts (reads then need another token, or nothing works until it is set).
 */
export function resolveTokens(configured: readonly AdminTokenConfig[], env: NodeJS.ProcessEnv, log: Logger): AdminToken[] {
  const tokens: AdminToken[] = [];
  for (const t of configured) {
    const secret = t.token ?? (t.token_env !== undefined ? env[t.token_env] : undefined);
    if (secret === undefined || secret === '') {
      log.warn({ token: t.name, env: t.token_env }, `admin token ${t.name} disabled: environment variable ${t.token_env} is not set`);
      continue;
    }
    if (secret.length < 16) {
      log.warn({ token: t.name, env: t.token_env }, `admin token ${t.name} disabled: ${t.token_env} holds fewer than 16 characters`);
      continue;
    }
    tokens.push({ name: t.name, scope: t.scope, digest: digestOf(secret) });
  }
  return tokens;
}

/**
 * The token an Authorization header carries, or undefined. Secrets are compared as SHA-256
 * digests (fixed length) with timingSafeEqual, and every token is compared, so the time
 * taken says nothing about which bytes or which token matched.
 */
export function authenticate(header: string | undefined, tokens: readonly AdminToken[]): AdminToken | undefined {
  if (header === undefined) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) return undefined;
  const presented = digestOf(m[1]);
  let found: AdminToken | undefined;
  for (const t of tokens) if (timingSafeEqual(presented, t.digest) && found === undefined) found = t;
  return found;
}

/** Whether a token of `have` scope may do what needs `need`. */
export function allows(have: TokenScope, need: TokenScope): boolean {
  return have === 'write' || need === 'read';
}

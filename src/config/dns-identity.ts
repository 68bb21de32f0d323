import { readFileSync } from 'node:fs';
import { isAbsolute, resolve, dirname } from 'node:path';
import type { DnsConfig } from './schema.js';

/**
 * Where server cookies (RFC 9018) are keyed from: secrets the operator shares between
 * instances (the first makes cookies, every one is accepted: the secret update of RFC 9018 5),
 * or a random master secret of this service from which a key per `rotationSeconds` period
 * is derived (the previous period's key is still accepted).
 */
export type CookieSecretSource =
  | { readonly kind: 'configured'; readonly secrets: readonly Uint8Array[] }
  | { readonly kind: 'generated'; readonly master: Uint8Array; readonly rotationSeconds: number };

/**
 * What a DNS process answers as itself, resolved once by the service from dns.nsid and
 * dns.cookies (the host name, an environment variable, a file, a random secret) and carried
 * in the LoadedConfig, so every DNS worker answers with exactly its primary's NSID and cookies.
 */
export interface DnsIdentity {
  /** The NSID payload (RFC 5001) and the CHAOS id.server text; undefined when dns.nsid is off. */
  readonly nsid: Uint8Array | undefined;
  /** Undefined when dns.cookies.enabled is false. */
  readonly cookies: CookieSecretSource | undefined;
}

/** What resolving an identity may read or draw. */
export interface IdentitySources {
  readonly env: NodeJS.ProcessEnv;
  /** The config file's path: a relative secret_file is read from its folder. */
  readonly configPath: string;
  readonly hostname: () => string;
  /** 16 random octets for a generated master secret. */
  readonly randomSecret: () => Uint8Array;
  readonly readFile?: (path: string) => string;
  /** The identity in force: a generated master secret is kept, so a reload does not invalidate every cookie. */
  readonly previous?: DnsIdentity;
}

const SECRET_HEX = /^[0-9a-fA-F]{32}$/;

/** The secrets in a secret_env value or secret_file: 32 hex digits each, separated by spaces or commas; or a problem. */
export function parseCookieSecrets(text: string, where: string): Uint8Array[] | string {
  const words = text.trim().split(/[\s,]+/).filter((w) => w !== '');
  if (words.length === 0) return `${where} is empty; expected a 128-bit secret as 32 hex digits (e.g. from \`openssl rand -hex 16\`)`;
  if (words.length > 3) return `${where} holds ${words.length} secrets; expected at most 3 (the one in use, then those still accepted)`;
  const bad = words.find((w) => !SECRET_HEX.test(w));
  if (bad !== undefined) return `${where}: expected a 128-bit secret as 32 hex digits (e.g. from \`openssl rand -hex 16\`), got ${bad.length} characters${/^[0-9a-fA-F]*$/.test(bad) ? '' : ' that are not all hex digits'}`;
  return words.map((w) => Uint8Array.from(Buffer.from(w, 'hex')));
}

/** The operator's cookie secrets (undefined when neither secret_env nor secret_file is set), or the problem that stops serve. */
export function configuredCookieSecrets(dns: DnsConfig, sources: Pick<IdentitySources, 'env' | 'configPath' | 'readFile'>): Uint8Array[] | undefined | string {
  const { secret_env: name, secret_file: file } = dns.cookies;
  if (name !== undefined) {
    const value = sources.env[name];
    if (value === undefined || value === '') return `dns.cookies.secret_env: environment variable ${name} is not set; export the shared cookie secret (32 hex digits), or remove secret_env to use a random one`;
    return parseCookieSecrets(value, `dns.cookies.secret_env: ${name}`);
  }
  if (file !== undefined) {
    const path = isAbsolute(file) ? file : resolve(dirname(sources.configPath), file);
    let text: string;
    try {
      text = (sources.readFile ?? ((p: string) => readFileSync(p, 'utf8')))(path);
    } catch (err) {
      return `dns.cookies.secret_file: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
    }
    return parseCookieSecrets(text, `dns.cookies.secret_file: ${path}`);
  }
  return undefined;
}

/** The identity dns.* gives on this machine; throws Error with the problem when a configured secret cannot be read (preflight reports it first). */
export function resolveDnsIdentity(dns: DnsConfig, sources: IdentitySources): DnsIdentity {
  const nsid = dns.nsid === undefined ? undefined : Uint8Array.from(Buffer.from(dns.nsid === 'hostname' ? sources.hostname() : dns.nsid).subarray(0, 128));
  if (!dns.cookies.enabled) return { nsid, cookies: undefined };
  const configured = configuredCookieSecrets(dns, sources);
  if (typeof configured === 'string') throw new Error(configured);
  if (configured !== undefined) return { nsid, cookies: { kind: 'configured', secrets: configured } };
  const before = sources.previous?.cookies;
  const master = before?.kind === 'generated' ? before.master : sources.randomSecret();
  return { nsid, cookies: { kind: 'generated', master, rotationSeconds: Math.floor(dns.cookies.rotation / 1000) } };
}

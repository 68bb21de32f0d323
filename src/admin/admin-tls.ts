import { readFileSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import { createSecureContext } from 'node:tls';
import type { AdminTlsConfig } from '../config/schema.js';
import { GeosteerError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';

/** The PEM files of admin.tls, read. */
export interface TlsMaterial {
  readonly key: Buffer;
  readonly cert: Buffer;
  readonly ca?: Buffer;
}

/** The part of an https.Server that swaps certificates without dropping connections. */
export interface SecureContextTarget {
  setSecureContext(options: TlsMaterial): void;
}

/**
 * Reads admin.tls and checks that it makes a TLS context (key matches certificate, PEM
 * parses); throws CONFIG_INVALID naming the file and the problem.
 */
export function readTlsMaterial(tls: AdminTlsConfig): TlsMaterial {
  const read = (field: 'cert_file' | 'key_file' | 'client_ca_file', path: string) => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new GeosteerError('CONFIG_INVALID', `admin.tls.${field}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  };
  const material: TlsMaterial = {
    cert: read('cert_file', tls.cert_file),
    key: read('key_file', tls.key_file),
    ...(tls.client_ca_file !== undefined ? { ca: read('client_ca_file', tls.client_ca_file) } : {}),
  };
  try {
    createSecureContext(material);
  } catch (err) {
    throw new GeosteerError('CONFIG_INVALID', `admin.tls: ${tls.cert_file} and ${tls.key_file} do not make a TLS certificate: ${(err as Error).message} (is key_file the key of cert_file, both PEM?)`);
  }
  return material;
}

/**
 * Keeps the admin server's certificate current: re-reads the files when one of them changes
 * (stat polling every `pollMs`, which follows the symlink swaps of a Kubernetes Secret
 * volume) and on every config reload. A set that does not load is logged and the one in use
 * stays.
 */
export class TlsReloader {
  private config: AdminTlsConfig;
  private watched: string[] = [];
  private readonly onChange = (current: Stats, previous: Stats) => {
    if (current.mtimeMs !== previous.mtimeMs || current.size !== previous.size || current.ino !== previous.ino) this.reload('a certificate file changed');
  };

  constructor(
    private readonly target: SecureContextTarget,
    initial: AdminTlsConfig,
    private readonly log: Logger,
    private readonly pollMs = 5000,
  ) {
    this.config = initial;
  }

  /** Starts watching the files. */
  start(): void {
    this.watch();
  }

  /** Re-reads the files (of `next` when the config changed); true when the new set is in use. */
  reload(why: string, next?: AdminTlsConfig): boolean {
    const config = next ?? this.config;
    try {
      this.target.setSecureContext(readTlsMaterial(config));
    } catch (err) {
      this.log.error({ err: (err as Error).message }, `admin TLS: ${why}, but the files do not load; still serving the previous certificate`);
      return false;
    }
    if (next) {
      this.config = next;
      this.watch();
    }
    this.log.info({ cert_file: config.cert_file }, `admin TLS: certificate reloaded (${why})`);
    return true;
  }

  stop(): void {
    for (const path of this.watched) unwatchFile(path, this.onChange);
    this.watched = [];
  }

  private watch(): void {
    this.stop();
    this.watched = [this.config.cert_file, this.config.key_file, ...(this.config.client_ca_file !== undefined ? [this.config.client_ca_file] : [])];
    for (const path of this.watched) watchFile(path, { interval: this.pollMs, persistent: false }, this.onChange);
  }
}

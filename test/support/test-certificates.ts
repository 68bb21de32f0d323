import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// X.509 certificates for TLS tests, made by the openssl CLI (node:crypto cannot sign
// certificates): a CA, and leaf certificates it signs, each a PEM key and certificate file
// in a temp directory. P-256 keys, valid for a day.

/** A key and certificate on disk. */
export interface CertificateFiles {
  readonly key: string;
  readonly cert: string;
}

/** A throwaway CA in a temp directory that signs server and client certificates. */
export interface TestCa extends CertificateFiles {
  readonly dir: string;
  /** A certificate signed by this CA: `cn` as subject CN, the SANs given (e.g. "IP:127.0.0.1"). */
  issue(name: string, cn: string, opts?: { san?: string; client?: boolean }): CertificateFiles;
  remove(): void;
}

const openssl = (args: string[], cwd: string) => execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });

/** A self-signed key and certificate: the CA, or a certificate nobody vouches for. */
function selfSigned(dir: string, name: string, cn: string): CertificateFiles {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.crt`);
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', `/CN=${cn}`], dir);
  return { key, cert };
}

let serials = 0;

/** Makes a CA in a new temp directory. */
export function testCa(): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'geosteer-tls-'));
  const ca = selfSigned(dir, 'ca', 'geosteer test CA');
  return {
    ...ca,
    dir,
    issue(name, cn, opts = {}) {
      const key = join(dir, `${name}.key`);
      const csr = join(dir, `${name}.csr`);
      const cert = join(dir, `${name}.crt`);
      const ext = join(dir, `${name}.ext`);
      writeFileSync(ext, `${opts.san ? `subjectAltName=${opts.san}\n` : ''}extendedKeyUsage=${opts.client ? 'clientAuth' : 'serverAuth'}\n`);
      openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', csr, '-subj', `/CN=${cn}`], dir);
      openssl(['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-set_serial', String(1000 + ++serials), '-days', '1', '-extfile', ext, '-out', cert], dir);
      return { key, cert };
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A client certificate that no configured CA signed. */
export function strangerCertificate(dir: string, cn: string): CertificateFiles {
  return selfSigned(dir, `stranger-${cn}`, cn);
}

import http from 'node:http';
import https from 'node:https';
import type { CheckSpec } from '../config/health-checks.js';
import type { Observation } from './endpoint-state.js';

// One HTTP(S) check: a fresh connection (no keep-alive agent, so a dead server cannot hide
// behind a pooled socket), an overall deadline, the status range, and optionally a body
// substring within the first 64 KiB.

const BODY_LIMIT = 64 * 1024;

/** Runs one http or https check; never rejects. */
export function probeHttp(spec: CheckSpec): Promise<Observation> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (obs: Observation) => {
      if (done) return;
      done = true;
      clearTimeout(deadline);
      req.destroy();
      resolve(obs);
    };
    const options: https.RequestOptions = {
      host: spec.host,
      port: spec.port,
      method: spec.method,
      path: spec.path,
      agent: false,
      headers: { 'user-agent': 'geosteer-health/1', ...(spec.hostHeader ? { host: spec.hostHeader } : {}) },
    };
    if (spec.kind === 'https') {
      options.rejectUnauthorized = spec.verifyTls;
      if (spec.servername !== undefined) options.servername = spec.servername;
    }
    const req = (spec.kind === 'https' ? https : http).request(options, (res) => {
      const status = res.statusCode ?? 0;
      if (status < spec.expectStatus.min || status > spec.expectStatus.max) {
        finish({ ok: false, detail: `status ${status}, expected ${spec.expectStatus.min}-${spec.expectStatus.max}` });
        return;
      }
      const wanted = spec.bodyContains;
      if (wanted === undefined) {
        finish({ ok: true, detail: `status ${status}` });
        return;
      }
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
        if (body.includes(wanted)) finish({ ok: true, detail: `status ${status}, body contains ${JSON.stringify(wanted)}` });
        else if (body.length >= BODY_LIMIT) finish({ ok: false, detail: `status ${status}, ${JSON.stringify(wanted)} not in the first ${BODY_LIMIT} bytes` });
      });
      res.on('end', () => finish({ ok: false, detail: `status ${status}, body does not contain ${JSON.stringify(wanted)}` }));
      res.on('error', (err) => finish({ ok: false, detail: `reading body: ${err.message}` }));
    });
    const deadline = setTimeout(() => finish({ ok: false, detail: `timeout after ${spec.timeoutMs}ms` }), spec.timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => finish({ ok: false, detail: `${err.code ?? 'error'}: ${err.message}` }));
    req.end();
  });
}

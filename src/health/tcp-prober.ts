import net from 'node:net';
import type { CheckSpec } from '../config/health-checks.js';
import type { Observation } from './endpoint-state.js';

/** Runs one TCP connect check (up when the connection opens within the timeout); never rejects. */
export function probeTcp(spec: CheckSpec): Promise<Observation> {
  return new Promise((resolve) => {
    let done = false;
    const socket = net.connect({ host: spec.host, port: spec.port });
    const finish = (obs: Observation) => {
      if (done) return;
      done = true;
      clearTimeout(deadline);
      socket.destroy();
      resolve(obs);
    };
    const deadline = setTimeout(() => finish({ ok: false, detail: `connect timeout after ${spec.timeoutMs}ms` }), spec.timeoutMs);
    socket.once('connect', () => finish({ ok: true, detail: 'connected' }));
    socket.once('error', (err: NodeJS.ErrnoException) => finish({ ok: false, detail: `connect ${err.code ?? 'error'}: ${err.message}` }));
  });
}

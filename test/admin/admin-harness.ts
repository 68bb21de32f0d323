import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { stringify } from 'yaml';
import type { OpenEndpoint } from '../../src/admin/admin-context.js';
import { loadConfigFile } from '../../src/config/load.js';
import type { Snapshot } from '../../src/control/snapshot.js';
import type { EventLog } from '../../src/events/event-log.js';
import type { GeosteerMetrics } from '../../src/metrics/create-metrics.js';
import { buildService, type Service, type ServiceDeps, type StartedService } from '../../src/service/build-service.js';
import { exampleDocument, testDeps } from '../support/test-server.js';

export const WRITE_TOKEN = 'write-secret-0123456789abcdef';
export const READ_TOKEN = 'read-secret-0123456789abcdef';
export const WRITE = { authorization: `Bearer ${WRITE_TOKEN}` };
export const READ = { authorization: `Bearer ${READ_TOKEN}` };

/** A started service (real UDP on 127.0.0.1:0) with its admin server built for inject(). */
export interface AdminHarness {
  service: Service;
  /** What start() bound. */
  started: StartedService;
  admin: FastifyInstance;
  metrics: GeosteerMetrics;
  events: EventLog;
  port: number;
  configPath: string;
  snapshot(): Snapshot;
  /** Rewrites the config file the service was loaded from. */
  writeConfig(doc: Record<string, any> | string): void;
  close(): Promise<void>;
}

/** The example config plus an admin section with a read and a write token (inline secrets). */
export function adminDocument(open: OpenEndpoint[] = ['healthz', 'readyz']): Record<string, any> {
  return {
    ...exampleDocument(),
    admin: {
      listen: '127.0.0.1:0',
      tokens: [
        { name: 'ops-writer', scope: 'write', token: WRITE_TOKEN },
        { name: 'dashboard', scope: 'read', token: READ_TOKEN },
      ],
      open_endpoints: open,
    },
  };
}

/** Builds and starts geosteer from a real config file in a temp directory, as the CLI would. */
export async function startAdmin(doc: Record<string, any> = adminDocument(), deps: Partial<ServiceDeps> = {}): Promise<AdminHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'geosteer-admin-'));
  const configPath = join(dir, 'geosteer.yaml');
  const writeConfig = (d: Record<string, any> | string) => writeFileSync(configPath, typeof d === 'string' ? d : stringify(d));
  writeConfig(doc);
  const service = await buildService(
    await loadConfigFile(configPath),
    await testDeps({ dnsListen: [{ host: '127.0.0.1', port: 0 }], rand: () => 0.5, timingSample: 1, clock: () => 1_700_000_000_000, ...deps }),
  );
  const started = await service.start();
  return {
    service,
    started,
    admin: service.admin!,
    metrics: service.metrics,
    events: service.events,
    port: started.dns[0].port,
    configPath,
    snapshot: () => service.control.current(),
    writeConfig,
    async close() {
      await service.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

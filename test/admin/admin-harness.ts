import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { stringify } from 'yaml';
import { buildAdmin } from '../../src/admin/build-admin.js';
import { resolveTokens } from '../../src/admin/auth.js';
import type { OpenEndpoint } from '../../src/admin/admin-context.js';
import { App } from '../../src/app.js';
import { loadConfigFile } from '../../src/config/load.js';
import { reloadConfig } from '../../src/config/reload.js';
import { createMetrics, type GeosteerMetrics } from '../../src/metrics/create-metrics.js';
import { silentLogger } from '../../src/shared/logger.js';
import { bundledGeo, exampleDocument } from '../support/test-server.js';

export const WRITE_TOKEN = 'write-secret-0123456789abcdef';
export const READ_TOKEN = 'read-secret-0123456789abcdef';
export const WRITE = { authorization: `Bearer ${WRITE_TOKEN}` };
export const READ = { authorization: `Bearer ${READ_TOKEN}` };

/** A running geosteer (real UDP on 127.0.0.1:0) with its admin server built for inject(). */
export interface AdminHarness {
  app: App;
  admin: FastifyInstance;
  metrics: GeosteerMetrics;
  port: number;
  configPath: string;
  /** Rewrites the config file the app was loaded from. */
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

/** Starts geosteer from a real config file in a temp directory, as the CLI would. */
export async function startAdmin(doc: Record<string, any> = adminDocument(), opts: { timingSample?: number } = {}): Promise<AdminHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'geosteer-admin-'));
  const configPath = join(dir, 'geosteer.yaml');
  const writeConfig = (d: Record<string, any> | string) => writeFileSync(configPath, typeof d === 'string' ? d : stringify(d));
  writeConfig(doc);
  const loaded = await loadConfigFile(configPath);
  const metrics = createMetrics({ timingSample: opts.timingSample ?? 1 });
  const log = silentLogger();
  const app = new App(loaded, { log, geo: await bundledGeo(), observer: metrics.queries, rand: () => 0.5 });
  const detach = metrics.attach(app);
  const [bound] = await app.listen([{ host: '127.0.0.1', port: 0 }]);
  const admin = buildAdmin({
    app,
    tokens: resolveTokens(loaded.config.admin?.tokens ?? [], {}, log),
    openEndpoints: loaded.config.admin?.open_endpoints,
    metrics,
    reload: () => reloadConfig(app),
    ready: () => ({ config: true, geoip: true, listeners: true }),
    log,
    now: () => 1_700_000_000_000,
  });
  await admin.ready();
  return {
    app,
    admin,
    metrics,
    port: bound.port,
    configPath,
    writeConfig,
    async close() {
      await admin.close();
      detach();
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

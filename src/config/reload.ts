import type { EventLog } from '../events/event-log.js';
import { ConfigError } from '../shared/errors.js';
import { loadConfigFile, type LoadedConfig } from './load.js';

/** What a reload did: the new config, or every problem that kept the old one serving. */
export type ReloadResult = { readonly ok: true; readonly loaded: LoadedConfig; readonly generation: number } | { readonly ok: false; readonly source: string; readonly problems: readonly string[] };

/** What a reload needs of the app (App implements it); keeps config/ free of app imports. */
export interface ReloadTarget {
  readonly config: LoadedConfig;
  readonly events: EventLog;
  applyConfig(loaded: LoadedConfig): void;
  snapshot(): { readonly generation: number };
}

/**
 * Re-reads the config file the app was started from (or `path`) and applies it when valid.
 * A broken file changes nothing: the old config keeps serving. SIGHUP and POST /v1/reload
 * both call this; each outcome is recorded as a config_reloaded / config_rejected event
 * (metrics count those).
 */
export async function reloadConfig(app: ReloadTarget, path: string = app.config.source, cause = 'reload'): Promise<ReloadResult> {
  let loaded: LoadedConfig;
  try {
    loaded = await loadConfigFile(path);
  } catch (err) {
    const problems = err instanceof ConfigError ? err.problems : [(err as Error).message];
    app.events.record({ type: 'config_rejected', cause: `${cause}: ${path}: ${problems.length} problem(s); still serving the previous config`, detail: { source: path, problems } });
    return { ok: false, source: path, problems };
  }
  app.applyConfig(loaded);
  const generation = app.snapshot().generation;
  app.events.record({ type: 'config_reloaded', cause: `${cause}: ${path}`, detail: { source: path, generation } });
  return { ok: true, loaded, generation };
}

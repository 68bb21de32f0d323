import { unwatchFile, watchFile, type Stats } from 'node:fs';
import type { LoadedConfig } from '../config/load.js';
import type { Logger } from '../shared/logger.js';
import type { Subsystem } from './subsystem.js';

/**
 * The config's files as an input: when the config file, a zone file or one of their
 * `$INCLUDE`s changes, the service reloads, as on SIGHUP. Stat polling (every
 * `reload.check_interval`) rather than fs.watch: it follows the symlink swap a Kubernetes
 * ConfigMap volume makes, and works on every filesystem. Several files changed together
 * (an editor, `kubectl apply` of a ConfigMap holding the config and its zones) give one
 * reload: a change starts a short quiet period, and changes during a reload give one more.
 * A reload that fails keeps the running config (the service records config_rejected) and
 * the next change tries again. After each reload the watched set is the new config's files.
 */
export function configFilesInput(opts: { config: () => LoadedConfig; reload: (cause: string) => Promise<unknown>; log: Logger; quietMs?: number }): Subsystem & { watching(): readonly string[] } {
  const { log } = opts;
  const quietMs = opts.quietMs ?? 200;
  let watched: string[] = [];
  let changed = new Set<string>();
  let quiet: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;

  const onChange = (path: string) => (current: Stats, previous: Stats) => {
    // watchFile also calls on an access-time change; only content, a replacement or a removal counts
    if (current.mtimeMs === previous.mtimeMs && current.size === previous.size && current.ino === previous.ino && current.nlink === previous.nlink) return;
    changed.add(path);
    if (quiet !== undefined) clearTimeout(quiet);
    quiet = setTimeout(() => void reloadNow(), quietMs);
    quiet.unref();
  };
  const listeners = new Map<string, (current: Stats, previous: Stats) => void>();

  const reloadNow = async () => {
    quiet = undefined;
    if (stopped || running !== undefined) return; // a running reload looks at `changed` again when it ends
    running = (async () => {
      while (changed.size > 0 && !stopped) {
        const files = [...changed];
        changed = new Set();
        log.info({ files }, 'config file changed; reloading');
        await opts.reload(`file changed: ${files.join(', ')}`).catch((err: Error) => log.error({ err }, 'config reload after a file change failed'));
      }
    })().finally(() => (running = undefined));
    await running;
  };

  let interval = 0;
  // Files that stay in the set keep their watch, so a change made while a reload read them is still seen.
  const watch = (loaded: LoadedConfig) => {
    const { watch_files, check_interval } = loaded.config.reload;
    const next = watch_files ? [...new Set(loaded.files)] : [];
    if (check_interval !== interval) unwatch(watched);
    else unwatch(watched.filter((path) => !next.includes(path)));
    interval = check_interval;
    for (const path of next) {
      if (listeners.has(path)) continue;
      const listener = onChange(path);
      listeners.set(path, listener);
      watchFile(path, { interval, persistent: false }, listener);
    }
    watched = next;
  };
  const unwatch = (paths: readonly string[]) => {
    for (const path of paths) {
      unwatchFile(path, listeners.get(path));
      listeners.delete(path);
    }
  };

  return {
    name: 'config-files',
    /** The files watched now. */
    watching: () => watched,
    async start() {
      stopped = false;
      watch(opts.config());
    },
    async stop() {
      stopped = true;
      unwatch(watched);
      watched = [];
      if (quiet !== undefined) clearTimeout(quiet);
      await running;
    },
    async reload(next) {
      watch(next);
    },
  };
}

import { statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { LoadedConfig } from '../config/load.js';
import { fileSignatureOf, sameFileSignature, type FileSignature } from '../shared/file-signature.js';
import type { Logger } from '../shared/logger.js';
import type { Subsystem } from './subsystem.js';

/**
 * The config's files as an input: when the config file, a zone file or one of their
 * `$INCLUDE`s changes, the service reloads, as on SIGHUP. Stat polling (every
 * `reload.check_interval`) rather than fs.watch: stat follows the symlink swap a Kubernetes
 * ConfigMap volume makes, and works on every filesystem. A file's baseline is taken when its
 * watch begins, synchronously, so a change made after that is never missed. Several files
 * changed together (an editor, `kubectl apply` of a ConfigMap holding the config and its
 * zones) give one reload: a change starts a short quiet period, and changes during a reload
 * give one more. A reload that fails keeps the running config (the service records
 * config_rejected) and the next change tries again. After each reload the watched set is
 * the new config's files; files that stay keep their baseline.
 */
export function configFilesInput(opts: { config: () => LoadedConfig; reload: (cause: string) => Promise<unknown>; log: Logger; quietMs?: number }): Subsystem & { watching(): readonly string[] } {
  const { log } = opts;
  const quietMs = opts.quietMs ?? 200;
  /** Each watched file's signature as last seen (undefined: missing or unreadable). */
  const baselines = new Map<string, FileSignature | undefined>();
  let changed = new Set<string>();
  let interval = 0;
  let timer: NodeJS.Timeout | undefined;
  let quiet: NodeJS.Timeout | undefined;
  let polling = false;
  let running: Promise<void> | undefined;
  let stopped = false;

  const poll = async () => {
    if (polling || stopped) return;
    polling = true;
    let found = false;
    try {
      for (const [path, before] of baselines) {
        const now = await stat(path).then(fileSignatureOf, () => undefined);
        if (!baselines.has(path) || (now === undefined && before === undefined) || sameFileSignature(now, before)) continue;
        baselines.set(path, now);
        changed.add(path);
        found = true;
      }
    } finally {
      polling = false;
    }
    // a running reload takes `changed` when it ends; otherwise a new change (re)starts the quiet period
    if (found && running === undefined) {
      if (quiet !== undefined) clearTimeout(quiet);
      quiet = setTimeout(() => void reloadNow(), quietMs);
      quiet.unref();
    }
  };

  const reloadNow = async () => {
    quiet = undefined;
    if (stopped || running !== undefined) return;
    running = (async () => {
      // what changed while a reload ran is in `changed` again: one more reload
      while (changed.size > 0 && !stopped) {
        const files = [...changed];
        changed = new Set();
        log.info({ files }, 'config file changed; reloading');
        await opts.reload(`file changed: ${files.join(', ')}`).catch((err: Error) => log.error({ err }, 'config reload after a file change failed'));
      }
    })().finally(() => (running = undefined));
    await running;
  };

  const watch = (loaded: LoadedConfig) => {
    const { watch_files, check_interval } = loaded.config.reload;
    const next = new Set(watch_files ? loaded.files : []);
    for (const path of [...baselines.keys()]) if (!next.has(path)) baselines.delete(path);
    for (const path of next) if (!baselines.has(path)) baselines.set(path, signatureNow(path));
    if (next.size === 0 || check_interval !== interval) {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
    }
    interval = check_interval;
    if (next.size > 0 && timer === undefined) {
      timer = setInterval(() => void poll(), interval);
      timer.unref();
    }
  };

  return {
    name: 'config-files',
    /** The files watched now. */
    watching: () => [...baselines.keys()],
    async start() {
      stopped = false;
      watch(opts.config());
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clearInterval(timer);
      if (quiet !== undefined) clearTimeout(quiet);
      timer = undefined;
      baselines.clear();
      await running;
    },
    async reload(next) {
      watch(next);
    },
  };
}

function signatureNow(path: string): FileSignature | undefined {
  try {
    return fileSignatureOf(statSync(path));
  } catch {
    return undefined;
  }
}

import type { ControlPlane } from '../control/control-plane.js';
import type { Logger } from '../shared/logger.js';
import type { StateStore } from '../state/state-store.js';
import type { Subsystem } from './subsystem.js';

/**
 * The state store as an input: its weight and drain overrides go to the control plane on
 * every change (local or another instance's). Redis being down at start is not fatal: we
 * serve the configured weights and drains, refuse admin writes, and resync when it is back.
 */
export function stateInput(opts: { store: StateStore; control: ControlPlane; log: Logger }): Subsystem {
  const { store, control, log } = opts;
  let off: (() => void) | undefined;
  return {
    name: 'state',
    async start() {
      try {
        await store.refresh();
      } catch (err) {
        log.error({ err: (err as Error).message }, 'state store unavailable at start; serving configured weights and drains until it is reachable');
      }
      off = store.onChange(() => void control.update({ overrides: store.current() }, 'state store'));
      await control.update({ overrides: store.current() }, 'state store read at start');
    },
    async stop() {
      off?.();
      off = undefined;
      await store.close();
    },
  };
}

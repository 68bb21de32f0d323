import type { ServiceModel } from '../config/model.js';
import type { RegionStatusView } from '../steering/types.js';

/** What the sync publishes from: the compiled model and the live region status of one generation. */
export interface SyncInput {
  readonly generation: number;
  readonly model: ServiceModel;
  readonly status: RegionStatusView;
}

/** Where the inputs come from (the control plane's snapshots). */
export interface SyncSource {
  current(): SyncInput;
  /** Calls `listener` with each new input; returns the unsubscribe function. */
  subscribe(listener: (input: SyncInput) => void): () => void;
}

import type { ServiceModel } from '../config/model.js';
import type { RegionStatusView } from '../steering/types.js';

/** What the sync reads of the service: the model and the live region status of one snapshot. */
export interface SyncInput {
  readonly generation: number;
  readonly model: ServiceModel;
  readonly status: RegionStatusView;
}

/** Where the sync gets its input: the current one, and every new one. */
export interface SyncSource {
  current(): SyncInput;
  /** Calls `listener` with every new input; returns the unsubscribe function. */
  subscribe(listener: (input: SyncInput) => void): () => void;
}

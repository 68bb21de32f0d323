import { describe } from 'vitest';
import { MemoryStateStore } from '../../src/state/memory-state-store.js';
import { stateStoreContract } from '../contracts/state-store.contract.js';

describe('MemoryStateStore contract', () => {
  stateStoreContract(async () => {
    const store = new MemoryStateStore();
    return { store, peer: store, close: () => store.close() };
  });
});

/** The Redis keys and channel of one geosteer deployment, all under `key_prefix`. */
export interface RedisKeys {
  /** Hash: region -> versioned weight entry JSON. */
  readonly weights: string;
  /** Hash: region -> versioned drain entry JSON. */
  readonly drains: string;
  /** INCR counter that orders every write of every instance. */
  readonly version: string;
  /** String: the epoch marker (JSON), written at the first connect; gone or replaced means the data was lost. */
  readonly epoch: string;
  /** Set of instance ids that published observations (an index; the keys' TTL decides liveness). */
  readonly instances: string;
  /** Pub/sub channel carrying every change. */
  readonly changes: string;
  /** Stream: the shared event log (audit entries and every instance's transitions), capped. */
  readonly events: string;
  /** String key holding one instance's observations, with a PX TTL. */
  observations(instance: string): string;
}

/**
 * Keys for `prefix`. The prefix is wrapped in a hash tag (`{geosteer}:weights`) so every key
 * lands in one Redis Cluster slot and the Lua scripts may touch several of them.
 */
export function redisKeys(prefix: string): RedisKeys {
  const tag = `{${prefix}}`;
  return {
    weights: `${tag}:weights`,
    drains: `${tag}:drains`,
    version: `${tag}:version`,
    epoch: `${tag}:epoch`,
    instances: `${tag}:instances`,
    changes: `${tag}:changes`,
    events: `${tag}:events`,
    observations: (instance) => `${tag}:obs:${instance}`,
  };
}

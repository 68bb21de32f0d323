// Lua run inside Redis, so a version check and its write (and the change message) are one
// atomic step. Every key of one store shares the hash tag `{prefix}`, so the scripts also
// run on Redis Cluster (all keys of a script must live in one slot).

/**
 * Sets one versioned entry of a hash. KEYS: hash, version counter. ARGV: field, value JSON
 * ("null" removes the override but keeps a tombstone so an older write cannot resurrect
 * it), at (ms), by, change channel, kind ("weight" | "drain"). The version comes from INCR
 * on the shared counter, so writes from every instance are totally ordered; an entry already
 * holding an equal or higher version is left alone. Returns {applied 0|1, version, entry}.
 */
export const SET_VERSIONED_ENTRY = `
local version = redis.call('INCR', KEYS[2])
local old = redis.call('HGET', KEYS[1], ARGV[1])
if old then
  local ok, decoded = pcall(cjson.decode, old)
  if ok and type(decoded) == 'table' and tonumber(decoded.version) and tonumber(decoded.version) >= version then
    return {0, tonumber(decoded.version), old}
  end
end
local entry = '{"value":' .. ARGV[2] .. ',"version":' .. version .. ',"at":' .. ARGV[3] .. ',"by":' .. cjson.encode(ARGV[4]) .. '}'
redis.call('HSET', KEYS[1], ARGV[1], entry)
redis.call('PUBLISH', ARGV[5], '{"kind":"' .. ARGV[6] .. '","field":' .. cjson.encode(ARGV[1]) .. ',"entry":' .. entry .. '}')
return {1, version, entry}
`;

/**
 * Publishes one instance's observations. KEYS: observation key, instance index set.
 * ARGV: observations JSON, ttl (ms), instance id, change channel. The key expires by itself
 * (PX), which is what makes a silent instance drop out; the set only lists candidates.
 */
export const PUBLISH_OBSERVATIONS = `
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('SADD', KEYS[2], ARGV[3])
redis.call('PUBLISH', ARGV[4], '{"kind":"obs","ttl":' .. ARGV[2] .. ',"observations":' .. ARGV[1] .. '}')
return 1
`;

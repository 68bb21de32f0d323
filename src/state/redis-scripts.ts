// Lua run inside Redis, so a version check and its write (and the change message) are one
// atomic step. Every key of one store shares the hash tag `{prefix}`, so the scripts also
// run on Redis Cluster (all keys of a script must live in one slot).

/**
 * Sets one versioned entry of a hash. KEYS: hash, version counter, epoch marker. ARGV:
 * field, value JSON ("null" removes the override but keeps a tombstone so an older write
 * cannot resurrect it), at (ms), by, change channel, kind ("weight" | "drain"), the epoch
 * marker text the writer adopted, the highest version the writer has seen, the epoch id.
 *
 * Refused before anything is written when the marker is not the writer's (-1: Redis lost
 * its data or is another generation) or the counter is below a version the writer has seen
 * (-2: Redis lost recent writes); either way a new version could sort below entries other
 * instances hold and be acknowledged but ignored. The version comes from INCR on the shared
 * counter, so writes from every instance are totally ordered; an entry already holding an
 * equal or higher version is left alone (0). Returns {status, version, entry}.
 */
export const SET_VERSIONED_ENTRY = `
if redis.call('GET', KEYS[3]) ~= ARGV[7] then return {-1, 0, ''} end
if tonumber(redis.call('GET', KEYS[2]) or '0') < tonumber(ARGV[8]) then return {-2, 0, ''} end
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
redis.call('PUBLISH', ARGV[5], '{"kind":"' .. ARGV[6] .. '","epoch":' .. cjson.encode(ARGV[9]) .. ',"field":' .. cjson.encode(ARGV[1]) .. ',"entry":' .. entry .. '}')
return {1, version, entry}
`;

/**
 * Ends a detected reset with an operator's decision. KEYS: weights hash, drains hash,
 * version counter, epoch marker. ARGV: the marker text found when the reset was detected
 * ('' for none), the new marker text, the new epoch id, the highest version the instance
 * has seen, change channel, decision ('republish' | 'adopt'), then for republish the kept
 * weights and drains as JSON arrays of [field, value JSON, at, by].
 *
 * Refused (0, current marker) when the marker changed since (another instance decided
 * first). The counter is raised to at least the seen version, so versions never go back;
 * republish replaces both hashes with exactly the kept overrides. Every instance follows the
 * new epoch (change message "epoch"). Returns {1, ''}.
 */
export const CONFIRM_RESET = `
local current = redis.call('GET', KEYS[4]) or ''
if current ~= ARGV[1] then return {0, current} end
if tonumber(redis.call('GET', KEYS[3]) or '0') < tonumber(ARGV[4]) then redis.call('SET', KEYS[3], ARGV[4]) end
if ARGV[6] == 'republish' then
  redis.call('DEL', KEYS[1], KEYS[2])
  local lists = {{KEYS[1], ARGV[7]}, {KEYS[2], ARGV[8]}}
  for _, list in ipairs(lists) do
    for _, e in ipairs(cjson.decode(list[2])) do
      local version = redis.call('INCR', KEYS[3])
      redis.call('HSET', list[1], e[1], '{"value":' .. e[2] .. ',"version":' .. version .. ',"at":' .. e[3] .. ',"by":' .. cjson.encode(e[4]) .. '}')
    end
  end
end
redis.call('SET', KEYS[4], ARGV[2])
redis.call('PUBLISH', ARGV[5], '{"kind":"epoch","epoch":' .. cjson.encode(ARGV[3]) .. '}')
return {1, ''}
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

/**
 * Lua for the shared request budget. Every script reads the clock with Redis TIME, so processes on hosts
 * whose clocks disagree still agree on the window. KEYS[1] is the log (ZSET: one member per request,
 * scored by ms), KEYS[2] the pause marker (ms timestamp until which nobody spends).
 */

const now = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/**
 * ARGV: windowMs, allowed (this priority's share), member, limit. Returns 0 when a slot was taken, else
 * the ms until one can be: the end of a pause, or when enough old entries leave the window.
 */
export const acquireScript = `${now}
local paused = tonumber(redis.call('GET', KEYS[2]) or '0')
if paused > now then return paused - now end
local limit = tonumber(ARGV[4])
if limit <= 0 then return 0 end
local window = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now - window))
local n = redis.call('ZCARD', KEYS[1])
local allowed = tonumber(ARGV[2])
if n < allowed then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window + 1000)
  return 0
end
local blocker = redis.call('ZRANGE', KEYS[1], n - allowed, n - allowed, 'WITHSCORES')
return math.max(1, tonumber(blocker[2]) + window + 1 - now)
`;

/** ARGV: ms. Extends (never shortens) the pause. Returns the ms the pause now lasts. */
export const pauseScript = `${now}
local untilMs = now + tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[2]) or '0')
if current < untilMs then
  redis.call('SET', KEYS[2], untilMs, 'PX', tonumber(ARGV[1]) + 1)
  return untilMs - now
end
return current - now
`;

/**
 * ARGV: windowMs, limit, serverLeft, resetMs, memberPrefix. When the server has fewer requests left than
 * our log says we have, fills the log with placeholders that leave the window when the server's resets,
 * so both views agree; with nothing left on the server, pauses everyone until its reset.
 */
export const observeScript = `${now}
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local serverLeft = tonumber(ARGV[3])
local resetMs = tonumber(ARGV[4])
if serverLeft <= 0 then
  local untilMs = now + resetMs
  local current = tonumber(redis.call('GET', KEYS[2]) or '0')
  if current < untilMs then redis.call('SET', KEYS[2], untilMs, 'PX', resetMs + 1) end
  return resetMs
end
if limit <= 0 then return 0 end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now - window))
local extra = (limit - redis.call('ZCARD', KEYS[1])) - serverLeft
if extra <= 0 then return 0 end
local score = math.min(now, now - window + resetMs)
for i = 1, extra do redis.call('ZADD', KEYS[1], score, ARGV[5] .. i) end
redis.call('PEXPIRE', KEYS[1], window + 1000)
return 0
`;

/** Entries in the window and the ms left of a pause, for health pages and tests. */
export const usageScript = `${now}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now - tonumber(ARGV[1])))
local paused = tonumber(redis.call('GET', KEYS[2]) or '0')
return { redis.call('ZCARD', KEYS[1]), math.max(0, paused - now) }
`;

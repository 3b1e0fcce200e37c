namespace LlmCost.Sdk;

/// <summary>
/// The Lua scripts that make each budget operation atomic in Redis. Money is kept as integer nano-dollars (exact in
/// Lua's doubles up to $9,007,199), tokens as integers. A scope's keys share one hash tag, so they live in one cluster slot.
/// </summary>
internal static class RedisBudgetScripts
{
    /// <summary>
    /// KEYS[1] reservations (hash id → "cost:tokens:expiresAtMs"), KEYS[2..] the window's buckets (hash c, t).
    /// ARGV now, id, cost, tokens, costLimit ("" for none), tokenLimit ("" for none), expiresAtMs, reservationsTtlMs.
    /// Drops expired reservations, sums the window and the live reservations, and adds the reservation if it fits.
    /// </summary>
    public const string Reserve = """
        local now = tonumber(ARGV[1])
        local rc, rt = 0, 0
        local res = redis.call('HGETALL', KEYS[1])
        for i = 1, #res, 2 do
          local c, t, e = string.match(res[i + 1], '^(-?%d+):(-?%d+):(%d+)$')
          if (not e) or tonumber(e) <= now then
            redis.call('HDEL', KEYS[1], res[i])
          else
            rc = rc + tonumber(c)
            rt = rt + tonumber(t)
          end
        end
        local sc, st = 0, 0
        for i = 2, #KEYS do
          local v = redis.call('HMGET', KEYS[i], 'c', 't')
          sc = sc + (tonumber(v[1]) or 0)
          st = st + (tonumber(v[2]) or 0)
        end
        local cost, tokens = tonumber(ARGV[3]), tonumber(ARGV[4])
        local granted = 1
        if ARGV[5] ~= '' and sc + rc + cost > tonumber(ARGV[5]) then granted = 0 end
        if ARGV[6] ~= '' and st + rt + tokens > tonumber(ARGV[6]) then granted = 0 end
        if granted == 1 then
          redis.call('HSET', KEYS[1], ARGV[2], ARGV[3] .. ':' .. ARGV[4] .. ':' .. ARGV[7])
          redis.call('PEXPIRE', KEYS[1], ARGV[8])
        end
        return {granted, string.format('%.0f', sc), string.format('%.0f', rc), string.format('%.0f', st), string.format('%.0f', rt)}
        """;

    /// <summary>
    /// KEYS[1] reservations, KEYS[2 .. 1+n] buckets to add to, KEYS[2+n ..] the window's buckets.
    /// ARGV id ("" for none), cost, tokens, n, now, then n bucket time-to-live values in ms.
    /// Ends the reservation, adds the cost and tokens, and returns the window's totals.
    /// </summary>
    public const string Settle = """
        if ARGV[1] ~= '' then redis.call('HDEL', KEYS[1], ARGV[1]) end
        local n = tonumber(ARGV[4])
        local now = tonumber(ARGV[5])
        for i = 1, n do
          redis.call('HINCRBY', KEYS[1 + i], 'c', ARGV[2])
          redis.call('HINCRBY', KEYS[1 + i], 't', ARGV[3])
          redis.call('PEXPIRE', KEYS[1 + i], ARGV[5 + i])
        end
        local rc, rt = 0, 0
        local res = redis.call('HGETALL', KEYS[1])
        for i = 1, #res, 2 do
          local c, t, e = string.match(res[i + 1], '^(-?%d+):(-?%d+):(%d+)$')
          if e and tonumber(e) > now then
            rc = rc + tonumber(c)
            rt = rt + tonumber(t)
          end
        end
        local sc, st = 0, 0
        for i = 2 + n, #KEYS do
          local v = redis.call('HMGET', KEYS[i], 'c', 't')
          sc = sc + (tonumber(v[1]) or 0)
          st = st + (tonumber(v[2]) or 0)
        end
        return {1, string.format('%.0f', sc), string.format('%.0f', rc), string.format('%.0f', st), string.format('%.0f', rt)}
        """;

    /// <summary>
    /// KEYS[1] a counter. ARGV amount, ttlMs. Adds the amount; a counter just created gets its expiry. Returns the new value.
    /// </summary>
    public const string Increment = """
        local v = redis.call('INCRBY', KEYS[1], ARGV[1])
        if redis.call('PTTL', KEYS[1]) < 0 then
          redis.call('PEXPIRE', KEYS[1], ARGV[2])
        end
        return v
        """;
}

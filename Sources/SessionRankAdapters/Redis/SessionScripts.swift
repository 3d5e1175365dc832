import RedisClient
import SessionRankCore

/// Server-side scripts that keep session state consistent under concurrent events.
enum SessionScripts {
    /// Applies one event to a session, atomically and at most once per event id.
    ///
    /// Every part of the result is independent of the order in which events arrive, so
    /// concurrent events leave the same state as any sequential replay:
    /// - counters add; first/last seen are min/max of timestamps;
    /// - interest weights are stored as of a reference time (the newest event's time rounded
    ///   down to a whole number of half-lives) and decayed by 2^(-Δt/halfLife), so
    ///   Σ weight·2^(-(ref - t)/h) does not depend on order, and the hash is rewritten once per
    ///   half-life rather than on every event;
    /// - recent items are a sorted set by timestamp (ties by member), trimmed to the newest N;
    /// - the cart is last-writer-wins by (timestamp, event id); links keep the newest value.
    ///
    /// An applied event id stays in `unpublished` until the service confirms it reached the log
    /// (`SREM`), so a retry after a failed publish is published instead of taken for a duplicate.
    ///
    /// Bounded whatever the client sends: at most maxEvents event ids per session (past it an
    /// event is not applied: outcome 3), maxCart cart entries and maxPurchased purchased items
    /// (further new items are left out); recent items are trimmed to maxItems.
    ///
    /// KEYS: meta, interest, items, seen, cart, purchased, unpublished.
    /// ARGV: eventId, type, itemId ('' for none), timestamp, weight, halfLifeSeconds, maxItems,
    ///       ttlSeconds, userId, deviceId, region, readBack ('1' or '0'), maxEvents, maxCart,
    ///       maxPurchased, attribute…
    /// The outcome is 1 when applied now, 2 when applied before but not confirmed published, 0
    /// when applied and published before, 3 when the session already holds maxEvents events. With readBack '0' the outcome is the reply; with '1'
    /// the reply is { outcome, HGETALL meta, HGETALL interest, ZRANGE items WITHSCORES,
    /// HGETALL cart, SMEMBERS purchased }: a page view and the read of its session in one call.
    static let applyEvent = RedisScript(
        #"""
        local meta, interest, items, seen, cart, purchased, unpublished = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]
        local eventId, kind, item = ARGV[1], ARGV[2], ARGV[3]
        local ts, weight, half = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
        local maxItems, ttl = tonumber(ARGV[7]), tonumber(ARGV[8])
        local maxEvents, maxCart, maxPurchased = tonumber(ARGV[13]), tonumber(ARGV[14]), tonumber(ARGV[15])
        local function fmt(x) return string.format('%.17g', x) end
        -- One call per thousand arguments (an even count, so field-value pairs stay whole):
        -- unpack has a limit of a few thousand values.
        local function many(command, key, list)
          for i = 1, #list, 1000 do redis.call(command, key, unpack(list, i, math.min(i + 999, #list))) end
        end

        local function apply()
          if redis.call('SADD', seen, eventId) == 0 then
            if redis.call('SISMEMBER', unpublished, eventId) == 1 then return 2 end
            return 0
          end
          if redis.call('SCARD', seen) > maxEvents then
            redis.call('SREM', seen, eventId)
            return 3
          end
          redis.call('SADD', unpublished, eventId)

          -- One read and one write of the meta hash: the script's cost is mostly its calls.
          local m = redis.call('HMGET', meta, 'first_seen', 'last_seen', 'interest_at',
            'user_id', 'user_id_at', 'device_id', 'device_id_at', 'region', 'region_at')
          local updates = {}
          local function set(field, value) updates[#updates + 1] = field; updates[#updates + 1] = value end

          redis.call('HINCRBY', meta, 'events', 1)
          redis.call('HINCRBY', meta, 'count:' .. kind, 1)
          local first = tonumber(m[1])
          if not first or ts < first then set('first_seen', fmt(ts)) end
          local last = tonumber(m[2])
          if not last or ts > last then set('last_seen', fmt(ts)) end

          -- Links keep the value of the newest event that carried one (ties: larger value).
          local function link(field, value, current, currentAt)
            if value == '' then return end
            local at = tonumber(currentAt)
            if not at or ts > at or (ts == at and value > current) then
              set(field, value)
              set(field .. '_at', fmt(ts))
            end
          end
          link('user_id', ARGV[9], m[4], m[5])
          link('device_id', ARGV[10], m[6], m[7])
          link('region', ARGV[11], m[8], m[9])

          if weight ~= 0 and #ARGV >= 16 then
            -- The reference moves in whole half-lives, so most events add to their keys without
            -- rewriting the hash; a weight newer than the reference is scaled up by at most 2.
            local bucket = math.floor(ts / half) * half
            local ref = tonumber(m[3])
            if not ref then
              ref = bucket
              set('interest_at', fmt(bucket))
            elseif bucket > ref then
              local factor = 2 ^ (-(bucket - ref) / half)
              local all = redis.call('HGETALL', interest)
              local kept, dropped = {}, {}
              for i = 1, #all, 2 do
                local decayed = tonumber(all[i + 1]) * factor
                if math.abs(decayed) < 1e-12 then dropped[#dropped + 1] = all[i]
                else kept[#kept + 1] = all[i]; kept[#kept + 1] = fmt(decayed) end
              end
              many('HDEL', interest, dropped)
              many('HSET', interest, kept)
              ref = bucket
              set('interest_at', fmt(bucket))
            end
            local add = weight * 2 ^ (-(ref - ts) / half)
            for j = 16, #ARGV do redis.call('HINCRBYFLOAT', interest, ARGV[j], fmt(add)) end
          end

          if item ~= '' then
            redis.call('ZADD', items, ts, eventId .. '|' .. kind .. '|' .. item)
            redis.call('ZREMRANGEBYRANK', items, 0, -(maxItems + 1))
            if kind == 'add_to_cart' or kind == 'remove_from_cart' or kind == 'purchase' then
              local stamp = fmt(ts) .. '|' .. eventId
              local previous = redis.call('HGET', cart, item)
              local newer = true
              if previous then
                local sep = string.find(previous, '|', 1, true)
                local pts, pid = tonumber(string.sub(previous, 1, sep - 1)), string.sub(previous, sep + 1, string.find(previous, '|', sep + 1, true) - 1)
                newer = ts > pts or (ts == pts and eventId > pid)
              end
              if not previous and redis.call('HLEN', cart) >= maxCart then newer = false end
              if newer then redis.call('HSET', cart, item, stamp .. '|' .. kind) end
            end
            if kind == 'purchase' and redis.call('SCARD', purchased) < maxPurchased then redis.call('SADD', purchased, item) end
          end

          many('HSET', meta, updates)
          for i = 1, #KEYS do redis.call('EXPIRE', KEYS[i], ttl) end
          return 1
        end

        local outcome = apply()
        if ARGV[12] ~= '1' or outcome == 3 then return outcome end
        return { outcome, redis.call('HGETALL', meta), redis.call('HGETALL', interest),
          redis.call('ZRANGE', items, 0, -1, 'WITHSCORES'), redis.call('HGETALL', cart), redis.call('SMEMBERS', purchased) }
        """#
    )
}

import RedisClient
import SessionRankCore

/// The plain commands that apply one event to its session, and what their replies say.
///
/// No script: each command is idempotent and order-independent, so the pipeline needs no
/// atomicity. A retry, or a pipeline cut short by a crash, writes the same members again; the
/// event's status key alone decides whether it is new, awaiting the log, or done. What a partial
/// write leaves is at worst an event whose status is set but whose members are missing until
/// its retry writes them.
struct SessionWrite {
    static let replyCount = 3
    /// Link members kept per session besides `first` and `last` (user, device and region
    /// values): a session that names more than this keeps only the newest.
    static let maxLinkMembers = 32
    static let unitSeparator = "\u{1F}"

    let keys: SessionKeys
    let eventId: String
    let commands: [RedisCommand]

    /// `durable`: the event waits in status `u` until the log confirms it; otherwise (a page
    /// view, best effort) it is marked published at once.
    init(_ update: SessionUpdate, durable: Bool, settings: SessionSettings) {
        let event = update.event
        keys = SessionKeys(sessionId: event.sessionId)
        eventId = event.eventId
        let time = String(event.timestamp)
        let ttl = settings.idleTimeoutSeconds
        var commands: [RedisCommand] = [
            // The previous status, if any; NX keeps it.
            RedisCommand("SET", keys.status(of: event.eventId), durable ? "u" : "p", "NX", "GET", "EX", ttl),
            RedisCommand("HSETNX", keys.events, event.eventId, event.type.rawValue),
            RedisCommand("HLEN", keys.events),
        ]
        var times: [any RedisArgument] = [keys.times, "GT", String(-event.timestamp), "first", time, "last"]
        for (prefix, value) in [("u|", update.userId), ("d|", event.deviceId), ("r|", update.region)] {
            if let value, !value.isEmpty { times += [time, prefix + value] }
        }
        commands.append(RedisCommand("ZADD", arguments: times))
        // Rank 0 is `first` (the only negative score); keep it, `last` and the newest links.
        commands.append(RedisCommand("ZREMRANGEBYRANK", keys.times, 1, -(Self.maxLinkMembers + 3)))
        if let item = event.itemId {
            let member = [event.eventId, event.type.rawValue, item, String(update.weight), update.attributes.joined(separator: Self.unitSeparator)]
                .joined(separator: "|")
            commands.append(RedisCommand("ZADD", keys.items, time, member))
            commands.append(RedisCommand("ZREMRANGEBYRANK", keys.items, 0, -(settings.recentItemLimit + 1)))
            if let mark = Self.basketMark(event.type) {
                commands.append(RedisCommand("ZADD", keys.basket, "GT", time, mark + item))
                commands.append(RedisCommand("ZREMRANGEBYRANK", keys.basket, 0, -(Self.basketLimit(settings) + 1)))
            }
        }
        for key in keys.all { commands.append(RedisCommand("EXPIRE", key, ttl)) }
        self.commands = commands
    }

    /// Marks kept in the basket: room for every cart item to be added and removed, and for every purchase.
    static func basketLimit(_ settings: SessionSettings) -> Int { 2 * settings.maxCartItems + settings.maxPurchasedItems }

    static func basketMark(_ type: StorefrontEventType) -> String? {
        switch type {
        case .addToCart: "+"
        case .removeFromCart: "-"
        case .purchase: "$"
        default: nil
        }
    }

    /// What the first three replies say, and the commands that undo what must not stay: the
    /// event id and status of an event that found its session full.
    func outcome(from replies: ArraySlice<RESPValue>, maxEvents: Int) throws -> (SessionApplyOutcome, repair: [RedisCommand]) {
        let replies = Array(replies)
        for reply in replies.prefix(Self.replyCount) {
            if let message = reply.errorMessage { throw RedisError(code: .serverError, message: message, serverMessage: message) }
        }
        let previous = replies[0].string
        let isNew = replies[1].int == 1
        let count = replies[2].int ?? 0
        switch previous {
        case "p": return (.duplicate, [])
        case "u": return (.appliedUnpublished, [])
        default:
            if !isNew {
                // Applied, but its status expired: whether it reached the log is unknown, so it is
                // published again (a duplicate in the log rather than a 202 for an event it lacks).
                // The SET above marked it anew; the log's acknowledgement confirms it.
                return (.appliedUnpublished, [])
            }
            if count > maxEvents {
                return (.sessionFull, [RedisCommand("HDEL", keys.events, eventId), RedisCommand("DEL", keys.status(of: eventId))])
            }
            return (.applied, [])
        }
    }
}

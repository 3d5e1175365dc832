import SessionRankCore

/// Redis keys of one session. All share the hash tag `{sessionId}`, so in Redis Cluster they
/// live in one slot and one pipeline on one node writes and reads them.
///
/// Every write to them is idempotent and commutative (HSETNX, ZADD GT, ZADD of an event's own
/// member, trims by rank), so a page view needs no script: events applied twice, concurrently or
/// out of order leave the state a sequential replay leaves.
struct SessionKeys: Sendable {
    /// Hash eventId → event type: which events the session holds (its length is the event
    /// count, its values the counts by type).
    let events: String
    /// Sorted set of times and links, all with `ZADD GT`: `first` (score: minus the earliest
    /// event time), `last`, and one member per link value, `u|userId`, `d|deviceId`, `r|region`,
    /// scored by the newest event that carried it.
    let times: String
    /// Sorted set of recent item events by time: `eventId|type|itemId|weight|attribute␟…`.
    /// Interests are derived from it when read.
    let items: String
    /// Sorted set of cart marks by time (`ZADD GT`): `+item` added, `-item` removed, `$item` purchased.
    let basket: String
    private let statusPrefix: String

    init(sessionId: String) {
        let prefix = "s:{\(sessionId)}:"
        events = prefix + "events"
        times = prefix + "times"
        items = prefix + "items"
        basket = prefix + "basket"
        statusPrefix = prefix + "status:"
    }

    /// The session's state; not the publish statuses, which expire on their own.
    var all: [String] { [events, times, items, basket] }

    /// A string key per event: `u` while the event is applied but not confirmed in the log, `p`
    /// once it is. It expires with the idle timeout from the event's first attempt on; a retry
    /// after that, while the session still holds the event, is published again but not re-applied.
    func status(of eventId: String) -> String { statusPrefix + eventId }

    /// The sessions of a logged-in user, newest last-seen first. Its own slot: `{u:userId}`.
    static func userSessions(userId: String) -> String { "u:{\(userId)}:sessions" }
}

import SessionRankCore

/// Redis keys of one session. All share the hash tag `{sessionId}`, so in Redis Cluster they
/// live in one slot and one script can update them atomically.
struct SessionKeys: Sendable {
    let meta: String
    let interest: String
    let items: String
    let seenEvents: String
    /// Event ids applied to the state but not yet handed to the log: a retry publishes them.
    let unpublishedEvents: String
    let cart: String
    let purchased: String

    init(sessionId: String) {
        let prefix = "s:{\(sessionId)}:"
        meta = prefix + "meta"
        interest = prefix + "interest"
        items = prefix + "items"
        seenEvents = prefix + "seen"
        unpublishedEvents = prefix + "unpublished"
        cart = prefix + "cart"
        purchased = prefix + "purchased"
    }

    var all: [String] { [meta, interest, items, seenEvents, cart, purchased, unpublishedEvents] }

    /// The sessions of a logged-in user, newest last-seen first. Its own slot: `{u:userId}`.
    static func userSessions(userId: String) -> String { "u:{\(userId)}:sessions" }
}

import Foundation
import RedisClient
import SessionRankCore

/// Reads a session back from its keys: the commands, and the state their replies describe.
struct SessionStateReader {
    let keys: SessionKeys
    let settings: SessionSettings

    /// `countsByType` reads every event id of the session (up to `maxEventsPerSession`), so only
    /// the session endpoint asks for it; a page view's read-back counts events without types.
    func commands(countsByType: Bool) -> [RedisCommand] {
        [
            countsByType ? RedisCommand("HVALS", keys.events) : RedisCommand("HLEN", keys.events),
            RedisCommand("ZRANGE", keys.times, 0, -1, "WITHSCORES"),
            RedisCommand("ZRANGE", keys.items, 0, -1, "WITHSCORES"),
            RedisCommand("ZRANGE", keys.basket, 0, -1, "WITHSCORES"),
        ]
    }

    func state(_ sessionId: String, from replies: ArraySlice<RESPValue>) throws -> SessionState {
        let replies = Array(replies)
        for reply in replies {
            if let message = reply.errorMessage { throw RedisError(code: .serverError, message: message, serverMessage: message) }
        }
        var state = SessionState.empty(sessionId)
        if let count = replies[0].int {
            state.eventCount = count
        } else {
            let types = (replies[0].array ?? []).compactMap(\.string)
            state.eventCount = types.count
            for type in types { state.countsByType[type, default: 0] += 1 }
        }
        readTimes(Self.scored(replies[1]), into: &state)
        readItems(Self.scored(replies[2]), into: &state)
        readBasket(Self.scored(replies[3]), into: &state)
        return state
    }

    private func readTimes(_ members: [(member: String, score: Double)], into state: inout SessionState) {
        var links: [Character: (value: String, at: Double)] = [:]
        for (member, score) in members {
            switch member {
            case "first": state.firstSeen = -score
            case "last": state.lastSeen = score
            default:
                guard member.count > 2, let kind = member.first, member.dropFirst().first == "|" else { continue }
                let value = String(member.dropFirst(2))
                // The newest event's value; ties go to the larger value, whatever the order of arrival.
                if let current = links[kind], current.at > score || (current.at == score && current.value >= value) { continue }
                links[kind] = (value, score)
            }
        }
        state.userId = links["u"]?.value
        state.deviceId = links["d"]?.value
        state.region = links["r"]?.value
    }

    /// Recent items oldest first, and interests: each item event's weight on its attributes,
    /// decayed to a reference that trails the newest weighted event by less than a half-life.
    private func readItems(_ members: [(member: String, score: Double)], into state: inout SessionState) {
        let half = settings.interestHalfLifeSeconds
        var weighted: [(time: Double, weight: Double, attributes: Substring)] = []
        for (member, time) in members {
            let parts = member.split(separator: "|", maxSplits: 4, omittingEmptySubsequences: false)
            guard parts.count == 5 else { continue }
            state.recentItems.append(.init(itemId: String(parts[2]), type: String(parts[1]), eventId: String(parts[0]), timestamp: time))
            if let weight = Double(parts[3]), weight != 0, !parts[4].isEmpty { weighted.append((time, weight, parts[4])) }
        }
        guard let newest = weighted.map(\.time).max() else { return }
        let reference = (newest / half).rounded(.down) * half
        var interests: [String: Double] = [:]
        for entry in weighted {
            let add = entry.weight * exp2(-(reference - entry.time) / half)
            for attribute in entry.attributes.split(separator: Character(SessionWrite.unitSeparator)) {
                interests[String(attribute), default: 0] += add
            }
        }
        state.interests = interests.filter { abs($0.value) >= 1e-12 }
        state.interestReferenceTime = reference
    }

    /// In the cart: items added after they were last removed or purchased (a tie counts as out),
    /// the newest `maxCartItems`; purchased: the newest `maxPurchasedItems`. Both sorted by id.
    private func readBasket(_ members: [(member: String, score: Double)], into state: inout SessionState) {
        var added: [String: Double] = [:]
        var removed: [String: Double] = [:]
        var purchased: [(item: String, at: Double)] = []
        for (member, time) in members {
            guard let mark = member.first else { continue }
            let item = String(member.dropFirst())
            switch mark {
            case "+": added[item] = time
            case "-": removed[item] = max(removed[item] ?? -.infinity, time)
            case "$":
                removed[item] = max(removed[item] ?? -.infinity, time)
                purchased.append((item, time))
            default: continue
            }
        }
        let cart = added.filter { item, at in at > (removed[item] ?? -.infinity) }
            .sorted { ($0.value, $0.key) > ($1.value, $1.key) }.prefix(settings.maxCartItems).map(\.key)
        state.cartItems = cart.sorted()
        state.purchasedItems = purchased.sorted { ($0.at, $0.item) > ($1.at, $1.item) }.prefix(settings.maxPurchasedItems).map(\.item).sorted()
    }

    /// The member-score pairs of a `ZRANGE … WITHSCORES` reply, in its order.
    static func scored(_ reply: RESPValue) -> [(member: String, score: Double)] {
        let elements = reply.array ?? []
        var result: [(member: String, score: Double)] = []
        result.reserveCapacity(elements.count / 2)
        var index = 0
        while index + 1 < elements.count {
            if let member = elements[index].string, let score = elements[index + 1].double { result.append((member, score)) }
            index += 2
        }
        return result
    }
}

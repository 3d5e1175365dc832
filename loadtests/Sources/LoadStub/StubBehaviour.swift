import Foundation
import NIOConcurrencyHelpers

/// How the stub answers: a fixed delay, an optional error share, and whether it breaks
/// the age rule on purpose (to prove the harness notices).
public struct StubOptions: Sendable {
    public var delayMicros: Int64 = 0
    /// Share of requests answered 503 with Retry-After.
    public var errorRate: Double = 0
    public var violateAgeRule = false
    public var itemCount = 2000
    public init() {}
}

/// The stub's "recommender": it remembers each session's viewed categories and
/// recommends mostly from the latest one, so the category-shift check has something to see.
final class StubBehaviour: Sendable {
    let options: StubOptions
    private let viewed = NIOLockedValueBox<[String: [Int]]>([:])
    private let counter = NIOLockedValueBox<UInt64>(0)

    init(options: StubOptions) {
        self.options = options
    }

    func shouldFail() -> Bool {
        guard options.errorRate > 0 else { return false }
        let n = counter.withLockedValue { value -> UInt64 in
            value &+= 1
            return value
        }
        // Spread failures evenly: request n fails when floor(n × rate) steps up.
        return (Double(n) * options.errorRate).rounded(.down) > (Double(n - 1) * options.errorRate).rounded(.down)
    }

    func recordView(sessionId: String, itemId: String) {
        guard let n = Int(itemId.dropFirst(2)) else { return }
        let category = (n - 1) % StubCatalog.categories.count
        viewed.withLockedValue { $0[sessionId, default: []].append(category) }
    }

    /// `limit` items: three quarters from the last viewed category, the rest from popular items.
    func recommend(sessionId: String, userId: String?, limit: Int) -> [String] {
        let categories = StubCatalog.categories.count
        let last = viewed.withLockedValue { $0[sessionId]?.last }
        let minor = userId == "demo-minor" && !options.violateAgeRule
        var items: [String] = []
        var n = 1
        let focused = last.map { _ in (limit * 3) / 4 } ?? 0
        if let last {
            var k = last + 1
            while items.count < focused && k <= options.itemCount {
                if !(minor && StubCatalog.categories[last] == "wine_spirits") { items.append(StubCatalog.itemId(k)) }
                k += categories
                if minor && StubCatalog.categories[last] == "wine_spirits" { break }
            }
        }
        while items.count < limit && n <= options.itemCount {
            let id = StubCatalog.itemId(n)
            let adult = StubCatalog.categories[(n - 1) % categories] == "wine_spirits"
            if !items.contains(id) && !(minor && adult) { items.append(id) }
            n += 1
        }
        return items
    }
}

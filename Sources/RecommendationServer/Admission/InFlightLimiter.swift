import SessionRankCore
import Synchronization

/// Counts requests in flight per endpoint and refuses one more past `limit`, so an overloaded
/// endpoint sheds at once instead of queueing work it cannot finish in time. Each endpoint
/// has its own count: a flood of one kind does not starve the others.
public final class InFlightLimiter: Sendable {
    private final class Slot: Sendable {
        let inFlight = Atomic<Int>(0)
    }

    public let limit: Int
    private let slots: [String: Slot]

    /// `endpoints` are the names `tryAcquire` is called with; any other name has no limit.
    public init(limit: Int, endpoints: [String]) {
        self.limit = limit
        self.slots = Dictionary(uniqueKeysWithValues: endpoints.map { ($0, Slot()) })
    }

    /// Takes a place for one request; false when `endpoint` is at its limit (nothing taken).
    public func tryAcquire(_ endpoint: String) -> Bool {
        guard let slot = slots[endpoint] else { return true }
        let now = slot.inFlight.wrappingAdd(1, ordering: .relaxed).newValue
        if now > limit {
            slot.inFlight.wrappingSubtract(1, ordering: .relaxed)
            return false
        }
        return true
    }

    /// Gives back the place `tryAcquire` took.
    public func release(_ endpoint: String) {
        slots[endpoint]?.inFlight.wrappingSubtract(1, ordering: .relaxed)
    }

    /// Requests in flight now (for tests and metrics).
    public func inFlight(_ endpoint: String) -> Int {
        slots[endpoint]?.inFlight.load(ordering: .relaxed) ?? 0
    }
}

import Foundation
import Prometheus
import Synchronization

/// The value of one sample line of the registry, e.g. `sessionrank_events_shed_total`.
func metricValue(_ registry: PrometheusCollectorRegistry, _ sample: String) -> Double? {
    var buffer: [UInt8] = []
    registry.emit(into: &buffer)
    for line in String(decoding: buffer, as: UTF8.self).split(separator: "\n") where line.hasPrefix(sample + " ") {
        return Double(line.dropFirst(sample.count + 1))
    }
    return nil
}

struct ServerTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Counts of each value.
func tally(_ values: [String]) -> [String: Int] {
    values.reduce(into: [:]) { $0[$1, default: 0] += 1 }
}

/// A value shared by the tasks of one test (a `Mutex` cannot be captured by a `@Sendable` closure).
final class Shared<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) { mutex = Mutex(value) }

    var value: Value { mutex.withLock { $0 } }

    func update<Result: Sendable>(_ body: (inout Value) -> Result) -> Result { mutex.withLock { body(&$0) } }
}

/// A counter shared by the tasks of one test.
final class SharedCounter: Sendable {
    private let atomic = Atomic<Int>(0)

    /// Adds one and returns the value before.
    func next() -> Int { atomic.add(1, ordering: .relaxed).oldValue }

    func raise(to value: Int) { atomic.max(value, ordering: .relaxed) }

    var value: Int { atomic.load(ordering: .relaxed) }
}

/// Polls `condition` every 20 ms until it holds (true) or `limit` passes (false).
func poll(within limit: Duration, _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}

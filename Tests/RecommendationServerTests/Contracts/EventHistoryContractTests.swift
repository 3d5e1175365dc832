import Foundation
import Synchronization
import Testing

@testable import RecommendationServer
@testable import SessionRankAdapters
@testable import SessionRankCore

/// `EventHistoryContract` against every `EventHistory`: the Kafka adapter on the test dev broker,
/// records written by the event publisher the service uses.
@Suite("Contract: EventHistory", .enabled(if: IntegrationEnvironment.enabled(needs: "SESSIONRANK_POSTGRES_URL", "SESSIONRANK_REDIS_URL", "SESSIONRANK_KAFKA_BOOTSTRAP")), .serialized)
struct EventHistoryContractTests {
    @Test("KafkaEventHistory (dev broker) keeps the contract")
    func kafka() async throws {
        try await TestServer.withApp { _, components in
            let settings = components.dependencies.configuration.kafka
            let publisher = KafkaEventPublisher(producer: components.kafka, topic: settings.eventsTopic, capacity: 10_000, logger: TestServer.logger)
            try await EventHistoryContract(history: KafkaEventHistory(settings: settings, logger: TestServer.logger)) { records in
                let delivered = DeliveredCount()
                try publisher.publish(records) { _, ok in if ok { delivered.add() } }
                let deadline = ContinuousClock.now + .seconds(20)
                while delivered.value < records.count, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
                #expect(delivered.value == records.count, "the broker acknowledged every record")
            }.checkAll()
        }
    }

    @Test("a broker that does not answer is .unavailable with the cause, not a hang")
    func unavailable() async throws {
        var settings = try TestServer.configuration().kafka
        settings.bootstrapServers = "127.0.0.1:1"
        let history = KafkaEventHistory(settings: settings, logger: TestServer.logger)
        let started = ContinuousClock.now
        let error = await #expect(throws: EventHistoryError.self) {
            try await history.recentSessions(limit: 10, since: 0, until: .infinity, deadline: .now + .seconds(30))
        }
        guard case .unavailable(let cause)? = error else { return }
        #expect("\(cause)".isEmpty == false)
        #expect(ContinuousClock.now - started < .seconds(20))
    }
}

final class DeliveredCount: Sendable {
    private let count = Mutex(0)
    func add() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}

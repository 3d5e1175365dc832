import Foundation
import Testing

@testable import SessionRankAdapters
@testable import SessionRankCore

/// `LearningLoopContract` against every `LearningLoop`: the Kafka model updater, on a dev broker
/// of its own, fed through the Kafka event publisher as the service feeds it.
@Suite("Contract: LearningLoop", .serialized)
struct LearningLoopContractTests {
    @Test("ModelUpdater (Kafka) keeps the contract")
    func kafka() async throws {
        try await withKafkaLog { log in
            let publisher = KafkaEventPublisher(producer: log.producer, topic: "events", capacity: 1_000, logger: TestServer.logger)
            let settings = {
                var settings = ServiceConfiguration.KafkaSettings()
                settings.bootstrapServers = log.broker.bootstrapServers
                return settings
            }()
            try await LearningLoopContract(
                publishViews: { session, items in
                    let now = Date().timeIntervalSince1970
                    let records = items.enumerated().map { index, item in
                        let event = StorefrontEvent(
                            eventId: "\(session)-\(index)", type: .productView, sessionId: session, itemId: item,
                            timestamp: now - Double(items.count - index))
                        return EventRecord(
                            EnrichedEvent(event: event, status: .notNeeded, userId: nil), personalized: true, receivedAt: now,
                            pseudonymizer: Pseudonymizer(secret: "contract"))
                    }
                    let reports = DeliveryReports()
                    try publisher.publish(records, onDelivery: { reports.record($0, $1) })
                    let got = try await reports.wait(for: records.count, within: .seconds(20))
                    guard got.count == records.count, got.allSatisfy(\.delivered) else {
                        throw ServerTestError("the dev broker did not acknowledge \(session)'s views: \(got)")
                    }
                },
                makeLoop: { model, isKnownItem in
                    ModelUpdater(
                        model: model, settings: settings, rankingConfig: { .default }, flushInterval: .milliseconds(20),
                        isKnownItem: isKnownItem, logger: TestServer.logger)
                }
            ).checkAll()
        }
    }
}

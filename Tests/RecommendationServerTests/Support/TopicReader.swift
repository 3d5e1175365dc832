import Foundation
import KafkaClient

/// Every record of `topic` on `bootstrap` (a test's own dev broker), from the beginning up to the
/// high watermarks taken when the call starts.
func readWholeTopic(
    bootstrap: String, topic: String, partitions: Int32 = 4, within limit: Duration = .seconds(30)
) async throws -> [KafkaConsumerMessage] {
    let assignments = (0..<partitions).map {
        KafkaConsumerConfiguration.PartitionAssignment(topic: topic, partition: $0, startOffset: .beginning)
    }
    let consumer = try KafkaConsumer(
        configuration: KafkaConsumerConfiguration(bootstrapServers: [bootstrap], mode: .assignment(assignments)),
        logger: TestServer.logger)
    var ends: [Int32: Int64] = [:]
    for partition in 0..<partitions {
        ends[partition] = try await consumer.highWatermark(topic: topic, partition: partition)
    }
    let targets = ends.filter { $0.value > 0 }
    if targets.isEmpty {
        await consumer.close()
        return []
    }
    // Offsets rise within a partition, so the last record read per partition says how far it got.
    let messages = try await collect(from: consumer, within: limit) { messages in
        var next: [Int32: Int64] = [:]
        for message in messages { next[message.partition] = message.offset + 1 }
        return targets.allSatisfy { next[$0.key, default: 0] >= $0.value }
    }
    let read = messages.count
    let expected = targets.values.reduce(0, +)
    if read < expected { throw ServerTestError("read \(read) of \(expected) records of \(topic) within \(limit)") }
    return messages
}

/// The event ids of the `events` records in `messages`.
func eventIds(in messages: [KafkaConsumerMessage]) -> [String] {
    messages.compactMap { try? JSONDecoder().decode(EventRecordProbe.self, from: Data($0.value)).eventId }
}

/// Waits until the producer has a report (delivered or failed) for every message it was given.
func waitUntilDrained(_ producer: KafkaProducer, within limit: Duration) async throws -> Duration {
    let started = ContinuousClock.now
    while producer.queueDepth > 0 {
        guard ContinuousClock.now - started < limit else {
            throw ServerTestError("\(producer.queueDepth) message(s) still queued after \(limit)")
        }
        try await Task.sleep(for: .milliseconds(50))
    }
    return ContinuousClock.now - started
}

/// The messages `consumer` delivers that pass `filter`, until `isComplete` says so or `limit`
/// passes (then whatever arrived); the consumer is closed either way.
func collect(
    from consumer: KafkaConsumer, within limit: Duration, where filter: @escaping @Sendable (KafkaConsumerMessage) -> Bool = { _ in true },
    until isComplete: @escaping @Sendable ([KafkaConsumerMessage]) -> Bool
) async throws -> [KafkaConsumerMessage] {
    let reader = Task {
        var matching: [KafkaConsumerMessage] = []
        for try await message in consumer.messages where filter(message) {
            matching.append(message)
            if isComplete(matching) { break }
        }
        return matching
    }
    let timer = Task {
        try await Task.sleep(for: limit)
        reader.cancel()
    }
    defer { timer.cancel() }
    let result = await reader.result
    await consumer.close()
    return try result.get()
}

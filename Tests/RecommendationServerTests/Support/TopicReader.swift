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
    let reader = Task {
        var messages: [KafkaConsumerMessage] = []
        var next: [Int32: Int64] = [:]
        func complete() -> Bool { targets.allSatisfy { next[$0.key, default: 0] >= $0.value } }
        if complete() { return messages }
        for try await message in consumer.messages {
            messages.append(message)
            next[message.partition] = message.offset + 1
            if complete() { break }
        }
        return messages
    }
    let timer = Task {
        try await Task.sleep(for: limit)
        reader.cancel()
    }
    defer { timer.cancel() }
    let result = await reader.result
    await consumer.close()
    let messages = try result.get()
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

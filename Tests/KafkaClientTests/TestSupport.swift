import Foundation
import KafkaClient
import Logging
import Synchronization
import Testing

/// Logs from the code under test; quiet unless KAFKA_TEST_LOG_LEVEL is set (e.g. "debug").
let testLogger: Logger = {
    guard let level = ProcessInfo.processInfo.environment["KAFKA_TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) else {
        return Logger(label: "kafka-test", factory: { _ in SwiftLogNoOpLogHandler() })
    }
    var logger = Logger(label: "kafka-test")
    logger.logLevel = level
    return logger
}()

struct TimedOut: Error, CustomStringConvertible {
    let what: String
    var description: String { "timed out: \(what)" }
}

/// Runs `body`, failing with `TimedOut` if it takes longer than `limit`.
func withDeadline<T: Sendable>(
    _ limit: Duration,
    _ what: String,
    _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let result = try await group.next() ?? nil else { throw TimedOut(what: what) }
        return result
    }
}

func producerConfiguration(
    _ bootstrap: String,
    maxQueuedMessages: Int = 100_000,
    messageTimeout: Duration = .seconds(10),
    shutdownFlushTimeout: Duration = .seconds(10),
    extra: [String: String] = [:]
) -> KafkaProducerConfiguration {
    KafkaProducerConfiguration(
        bootstrapServers: [bootstrap],
        clientID: "kafka-client-tests",
        maxQueuedMessages: maxQueuedMessages,
        linger: .milliseconds(5),
        messageTimeout: messageTimeout,
        shutdownFlushTimeout: shutdownFlushTimeout,
        extraProperties: extra
    )
}

/// Runs the producer's service loop around `body`, then shuts it down gracefully and waits
/// for `run()` to return, so every message has its report when this returns.
func withRunningProducer<T: Sendable>(
    _ producer: KafkaProducer,
    _ body: @Sendable (KafkaProducer) async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await producer.run() }
        do {
            let result = try await body(producer)
            producer.triggerGracefulShutdown()
            try await group.waitForAll()
            return result
        } catch {
            producer.triggerGracefulShutdown()
            try? await group.waitForAll()
            throw error
        }
    }
}

/// Reads every record currently in `topic` (partitions 0..<partitions), up to the high
/// watermarks taken at the start, in assignment mode from the beginning.
func readEntireTopic(
    _ bootstrap: String,
    topic: String,
    partitions: Int32 = 4,
    limit: Duration = .seconds(20)
) async throws -> [KafkaConsumerMessage] {
    let assignments = (0..<partitions).map {
        KafkaConsumerConfiguration.PartitionAssignment(topic: topic, partition: $0, startOffset: .beginning)
    }
    let consumer = try KafkaConsumer(
        configuration: KafkaConsumerConfiguration(bootstrapServers: [bootstrap], mode: .assignment(assignments)),
        logger: testLogger
    )
    var highWatermarks: [Int32: Int64] = [:]
    for partition in 0..<partitions {
        highWatermarks[partition] = try await consumer.highWatermark(topic: topic, partition: partition)
    }
    let targets = highWatermarks.filter { $0.value > 0 }
    let messages = try await withDeadline(limit, "reading \(topic) up to \(highWatermarks)") {
        var messages: [KafkaConsumerMessage] = []
        var nextOffsets: [Int32: Int64] = [:]
        func done() -> Bool { targets.allSatisfy { nextOffsets[$0.key, default: 0] >= $0.value } }
        if done() { return messages }
        for try await message in consumer.messages {
            messages.append(message)
            nextOffsets[message.partition] = message.offset + 1
            if done() { break }
        }
        return messages
    }
    await consumer.close()
    return messages
}

/// Checks that records of each key appear in the order they were sent. Values are "key#seq".
func expectPerKeyOrder(_ messages: [KafkaConsumerMessage], sourceLocation: SourceLocation = #_sourceLocation) {
    var lastSequence: [String: Int] = [:]
    for message in messages.sorted(by: { ($0.partition, $0.offset) < ($1.partition, $1.offset) }) {
        let parts = message.valueString.split(separator: "#")
        guard parts.count == 2, let sequence = Int(parts[1]) else {
            Issue.record("unexpected value \(message.valueString)", sourceLocation: sourceLocation)
            continue
        }
        let key = String(parts[0])
        if let last = lastSequence[key], sequence <= last {
            Issue.record("key \(key): sequence \(sequence) after \(last)", sourceLocation: sourceLocation)
        }
        lastSequence[key] = sequence
    }
}

/// Collects log lines so a test can check that a fault it injected was actually hit.
final class LogRecorder: Sendable {
    private let lines = Mutex<[String]>([])

    var logger: Logger {
        var logger = Logger(label: "recorded") { _ in RecordingHandler(recorder: self) }
        logger.logLevel = .debug
        return logger
    }

    func count(containing text: String) -> Int {
        lines.withLock { $0.filter { $0.localizedCaseInsensitiveContains(text) }.count }
    }

    fileprivate func append(_ line: String) {
        lines.withLock { $0.append(line) }
    }

    private struct RecordingHandler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            recorder.append("\(event.level) \(event.message)")
        }
    }
}

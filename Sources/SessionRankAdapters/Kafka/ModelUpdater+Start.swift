import Foundation
import KafkaClient
import Logging
import SessionRankCore

/// Where the updater starts: partitions of both topics assigned, each from the offset the
/// loaded snapshot includes (or the end of the log without one), and how far it must replay.
extension ModelUpdater {

    /// Finds the partitions, decides where each starts, and assigns them. Retries until the broker answers.
    func startConsumer() async throws -> KafkaConsumer {
        let bootstrap = settings.bootstrapServers.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let topics = [settings.eventsTopic, settings.feedbackTopic]
        let recorded: [String: Int64]? = {
            guard case .snapshot = model.origin else { return nil }
            let offsets = Self.decodeOffsets(model.model.metadata[Self.offsetsKey])
            if offsets == nil { logger.warning("snapshot records no Kafka offsets; reading from the end of the log") }
            return offsets
        }()
        var delay = Duration.milliseconds(200)
        while true {
            do {
                let (starts, targets) = try await startOffsets(bootstrap: bootstrap, topics: topics, recorded: recorded)
                let assignments = starts.keys.sorted().map { key in
                    let (topic, partition) = Self.split(key)
                    return KafkaConsumerConfiguration.PartitionAssignment(topic: topic, partition: partition, startOffset: .offset(starts[key]!))
                }
                let consumer = try KafkaConsumer(
                    configuration: KafkaConsumerConfiguration(
                        bootstrapServers: bootstrap, clientID: "\(settings.clientId)-model", mode: .assignment(assignments),
                        pollInterval: .milliseconds(5),
                        extraProperties: settings.securityProperties.merging([
                            // A recorded offset the log no longer holds: replay what is left rather than skip to the end.
                            "auto.offset.reset": "earliest",
                            // Freshness: the dev broker answers a fetch only after this wait (default 500 ms).
                            "fetch.wait.max.ms": "20",
                        ]) { _, own in own }),
                    logger: logger)
                state.withLock { s in
                    s.status.startOffsets = starts
                    s.status.nextOffsets = starts
                    s.status.replayTargets = targets
                    s.status.started = true
                }
                logger.info("model updater started", metadata: [
                    "from": "\(Self.encodeOffsets(starts))", "replayUntil": "\(Self.encodeOffsets(targets))",
                ])
                return consumer
            } catch {
                logger.warning("model updater cannot start yet; retrying", metadata: ["error": "\(error)"])
                try await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
    }

    func startOffsets(
        bootstrap: [String], topics: [String], recorded: [String: Int64]?
    ) async throws -> (starts: [String: Int64], targets: [String: Int64]) {
        // A consumer with nothing assigned, only to ask for partitions and watermarks.
        let probe = try KafkaConsumer(
            configuration: KafkaConsumerConfiguration(
                bootstrapServers: bootstrap, clientID: "\(settings.clientId)-probe", mode: .assignment([]),
                extraProperties: settings.securityProperties),
            logger: logger)
        do {
            let metadata = try await probe.metadata()
            var starts: [String: Int64] = [:]
            var targets: [String: Int64] = [:]
            for topic in topics {
                guard let found = metadata.topic(named: topic), !found.partitions.isEmpty else {
                    throw ConfigurationError(field: "kafka", "topic \(topic) not found")
                }
                for partition in found.partitions {
                    let key = "\(topic):\(partition)"
                    let high = try await probe.highWatermark(topic: topic, partition: partition)
                    targets[key] = high
                    if let recorded {
                        var start = recorded[key] ?? 0
                        if start > high {
                            // The log is younger than the snapshot (e.g. a recreated dev broker): all of it is new.
                            logger.warning("snapshot offset beyond the log; reading the partition from the start", metadata: ["partition": "\(key)"])
                            start = 0
                        }
                        starts[key] = start
                    } else {
                        starts[key] = high
                    }
                }
            }
            await Self.close(probe)
            return (starts, targets)
        } catch {
            await Self.close(probe)
            throw error
        }
    }

    /// Closes outside the caller's task: on shutdown that task is cancelled, and a cancelled
    /// close would skip librdkafka's close.
    static func close(_ consumer: KafkaConsumer) async {
        await Task { await consumer.close() }.value
    }

    static func split(_ key: String) -> (topic: String, partition: Int32) {
        let index = key.lastIndex(of: ":")!
        return (String(key[..<index]), Int32(key[key.index(after: index)...])!)
    }
}

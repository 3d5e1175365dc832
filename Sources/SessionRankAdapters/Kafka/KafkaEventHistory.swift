import Foundation
import KafkaClient
import Logging
import NIOPosix
import Recommender
import SessionRankCore

/// `EventHistory` on topic `events`: reads the tail of every partition with a consumer of its
/// own in assignment mode (a random group id, no commits), so the model updater's offsets and
/// any consumer group stay where they are.
///
/// Kafka keeps no index by event time that the dev broker answers, so the read starts
/// `recordsPerSession × limit` records before each partition's end (or at its start) and keeps
/// the events of the window; a session that began before that point is replayed from there.
public struct KafkaEventHistory: EventHistory {
    let settings: ServiceConfiguration.KafkaSettings
    let logger: Logger
    /// Records read per session asked for, per partition: room for long sessions and for the
    /// records of other kinds (impressions, dwell) that share the topic.
    static let recordsPerSession: Int64 = 100

    public init(settings: ServiceConfiguration.KafkaSettings, logger: Logger) {
        self.settings = settings
        self.logger = logger
    }

    public func recentSessions(
        limit: Int, since: Double, until: Double, deadline: ContinuousClock.Instant
    ) async throws(EventHistoryError) -> ReplayHistory {
        do {
            let starts = try await startOffsets(window: Int64(limit) * Self.recordsPerSession)
            let pending = starts.filter { $0.value.start < $0.value.end }
            guard !pending.isEmpty else { return ReplayHistory(sessions: [], recordsRead: 0, complete: true) }
            let consumer = try KafkaConsumer(
                configuration: KafkaConsumerConfiguration(
                    bootstrapServers: bootstrap, clientID: "\(settings.clientId)-replay",
                    mode: .assignment(pending.keys.sorted().map {
                        .init(topic: settings.eventsTopic, partition: $0, startOffset: .offset(pending[$0]!.start))
                    }),
                    extraProperties: settings.securityProperties.merging(["fetch.wait.max.ms": "20"]) { _, own in own }),
                logger: logger)
            let read: Read
            do {
                read = try await readOnOwnThread(consumer, ends: pending.mapValues(\.end), window: since...max(since, until), deadline: deadline)
            } catch {
                await Self.close(consumer)
                throw error
            }
            await Self.close(consumer)
            return ReplayHistory.newestSessions(from: read.events, limit: limit, recordsRead: read.records, complete: read.complete)
        } catch let error as EventHistoryError {
            throw error
        } catch {
            throw EventHistoryError.unavailable(error)
        }
    }

    private var bootstrap: [String] {
        settings.bootstrapServers.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// Per partition of the topic: where the read starts and the end it must reach.
    private func startOffsets(window: Int64) async throws -> [Int32: (start: Int64, end: Int64)] {
        let probe = try KafkaConsumer(
            configuration: KafkaConsumerConfiguration(
                bootstrapServers: bootstrap, clientID: "\(settings.clientId)-replay-probe", mode: .assignment([]),
                extraProperties: settings.securityProperties),
            logger: logger)
        do {
            guard let topic = try await probe.metadata().topic(named: settings.eventsTopic), !topic.partitions.isEmpty else {
                throw ConfigurationError(field: "kafka.eventsTopic", "topic \(settings.eventsTopic) not found")
            }
            var offsets: [Int32: (start: Int64, end: Int64)] = [:]
            for partition in topic.partitions {
                let marks = try await probe.watermarks(topic: settings.eventsTopic, partition: partition)
                offsets[partition] = (max(marks.low, marks.high - window), marks.high)
            }
            await Self.close(probe)
            return offsets
        } catch {
            await Self.close(probe)
            throw error
        }
    }

    struct Read: Sendable {
        var events: [ModelEvent] = []
        var records = 0
        var complete = false
    }

    /// Waits for records inside librdkafka, so on a thread of its own, not an event loop.
    private func readOnOwnThread(
        _ consumer: KafkaConsumer, ends: [Int32: Int64], window: ClosedRange<Double>, deadline: ContinuousClock.Instant
    ) async throws -> Read {
        let thread = NIOThreadPool(numberOfThreads: 1)
        thread.start()
        defer { thread.shutdownGracefully { _ in } }
        let topic = settings.eventsTopic
        return try await thread.runIfActive {
            var read = Read()
            var remaining = ends
            let decoder = JSONDecoder()
            while !remaining.isEmpty, ContinuousClock.now < deadline {
                switch try consumer.waitForMessage(timeout: .milliseconds(50)) {
                case .closed:
                    return read
                case .nothing:
                    // Offsets a fetch skips (transaction markers) never arrive as records.
                    for (partition, end) in remaining {
                        let position = (try? consumer.position(topic: topic, partition: partition)) ?? nil
                        if let position, position >= end { remaining[partition] = nil }
                    }
                case .message(let message):
                    read.records += 1
                    if let event = Self.modelEvent(message, decoder: decoder), window.contains(event.timestamp) {
                        read.events.append(event)
                    }
                    if let end = remaining[message.partition], message.offset + 1 >= end { remaining[message.partition] = nil }
                }
            }
            read.complete = remaining.isEmpty
            return read
        }
    }

    /// An event record as the model updater reads it: headers first, the JSON body otherwise.
    static func modelEvent(_ message: KafkaConsumerMessage, decoder: JSONDecoder) -> ModelEvent? {
        let summary = EventRecordHeaders.summary(key: message.key, headers: message.headers)
            ?? (try? decoder.decode(EventRecord.self, from: Data(message.value))).map(EventSummary.init)
        return summary.flatMap(ModelEventMapper.modelEvent)
    }

    /// Outside the caller's task, as the model updater does: a cancelled close would skip librdkafka's.
    static func close(_ consumer: KafkaConsumer) async {
        await Task { await consumer.close() }.value
    }
}

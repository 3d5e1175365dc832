import CRdKafka
import NIOPosix

/// A snapshot of the cluster as one broker described it.
public struct KafkaClusterMetadata: Sendable {
    public struct Broker: Sendable, Hashable {
        public let id: Int32
        public let host: String
        public let port: Int32
    }

    public struct Topic: Sendable {
        public let name: String
        public let partitions: [Int32]
        /// Set when the broker reported an error for this topic (e.g. it does not exist).
        public let error: KafkaError?
    }

    public let brokers: [Broker]
    public let topics: [Topic]

    public func topic(named name: String) -> Topic? {
        topics.first { $0.name == name }
    }
}

extension RDKafkaHandle {
    /// Blocking metadata request; call it off the cooperative pool (see `metadata(timeout:)`).
    /// `allTopics: false` asks only about topics this client already uses: the cheapest
    /// round trip that proves a broker answers.
    func fetchMetadataBlocking(allTopics: Bool, timeout: Duration) throws(KafkaError) -> KafkaClusterMetadata {
        var metadataPointer: UnsafePointer<rd_kafka_metadata>?
        let error = rd_kafka_metadata(pointer, allTopics ? 1 : 0, nil, &metadataPointer, Int32(timeout.clampedMilliseconds))
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR, let metadataPointer else {
            throw KafkaError(rdKafka: error, context: "fetching cluster metadata (timeout \(timeout))")
        }
        defer { rd_kafka_metadata_destroy(metadataPointer) }
        let metadata = metadataPointer.pointee

        let brokers = UnsafeBufferPointer(start: metadata.brokers, count: Int(metadata.broker_cnt)).map {
            KafkaClusterMetadata.Broker(id: $0.id, host: String(cString: $0.host), port: $0.port)
        }
        let topics = UnsafeBufferPointer(start: metadata.topics, count: Int(metadata.topic_cnt)).map { topic in
            let name = String(cString: topic.topic)
            let partitions = UnsafeBufferPointer(start: topic.partitions, count: Int(topic.partition_cnt)).map(\.id)
            let topicError: KafkaError? =
                topic.err == RD_KAFKA_RESP_ERR_NO_ERROR
                ? nil : KafkaError(rdKafka: topic.err, context: "metadata for topic \(name)")
            return KafkaClusterMetadata.Topic(name: name, partitions: partitions.sorted(), error: topicError)
        }
        return KafkaClusterMetadata(brokers: brokers, topics: topics.sorted { $0.name < $1.name })
    }

    /// Runs the blocking metadata request on NIO's thread pool so no cooperative thread waits on the network.
    func fetchMetadata(allTopics: Bool, timeout: Duration) async throws -> KafkaClusterMetadata {
        try await NIOThreadPool.singleton.runIfActive {
            try self.fetchMetadataBlocking(allTopics: allTopics, timeout: timeout)
        }
    }
}

extension KafkaProducer {
    /// Lists brokers, topics and partitions (admin and health checks).
    public func metadata(timeout: Duration = .seconds(5)) async throws -> KafkaClusterMetadata {
        try await currentHandle.fetchMetadata(allTopics: true, timeout: timeout)
    }

    /// Cheap "is Kafka reachable" check for readiness probes: throws when no broker answers in time.
    public func checkConnectivity(timeout: Duration = .seconds(2)) async throws {
        _ = try await currentHandle.fetchMetadata(allTopics: false, timeout: timeout)
    }
}

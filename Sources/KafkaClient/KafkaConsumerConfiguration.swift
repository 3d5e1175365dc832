/// Settings of a `KafkaConsumer`.
public struct KafkaConsumerConfiguration: Sendable {
    /// Where reading starts in a partition.
    public enum StartOffset: Sendable, Hashable {
        case beginning
        case end
        case offset(Int64)
    }

    /// One partition to read in assignment mode.
    public struct PartitionAssignment: Sendable, Hashable {
        public var topic: String
        public var partition: Int32
        public var startOffset: StartOffset

        public init(topic: String, partition: Int32, startOffset: StartOffset) {
            self.topic = topic
            self.partition = partition
            self.startOffset = startOffset
        }
    }

    public enum Mode: Sendable {
        /// Join consumer group `id`, which shares the topics' partitions among its members and
        /// commits offsets. `startWhenNoCommit` applies to partitions without a committed offset.
        case group(id: String, topics: [String], startWhenNoCommit: StartOffset = .beginning)
        /// Read exactly these partitions from these offsets; no group, no commits (the model
        /// updater keeps its own offsets in its snapshots).
        case assignment([PartitionAssignment])
    }

    public var bootstrapServers: [String]
    public var clientID: String
    public var mode: Mode
    /// How long the message sequence sleeps when nothing is waiting (bounds latency when idle).
    public var pollInterval: Duration
    /// Any other librdkafka property, applied first so the settings above win.
    public var extraProperties: [String: String]

    public init(
        bootstrapServers: [String],
        clientID: String = "sessionrank",
        mode: Mode,
        pollInterval: Duration = .milliseconds(10),
        extraProperties: [String: String] = [:]
    ) {
        self.bootstrapServers = bootstrapServers
        self.clientID = clientID
        self.mode = mode
        self.pollInterval = pollInterval
        self.extraProperties = extraProperties
    }

    var rdKafkaProperties: [String: String] {
        var properties = extraProperties
        properties["bootstrap.servers"] = bootstrapServers.joined(separator: ",")
        properties["client.id"] = clientID
        switch mode {
        case .group(let id, _, let startWhenNoCommit):
            properties["group.id"] = id
            properties["auto.offset.reset"] = startWhenNoCommit == .end ? "latest" : "earliest"
        case .assignment:
            // librdkafka's assign() needs a group.id even though no group is joined and nothing
            // is committed; a unique one keeps consumers from ever sharing state.
            properties["group.id"] = "sessionrank-assigned-\(UInt64.random(in: 0...UInt64.max))"
            properties["enable.auto.commit"] = "false"
            properties["enable.auto.offset.store"] = "false"
        }
        return properties
    }
}

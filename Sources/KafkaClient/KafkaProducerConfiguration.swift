/// Settings of a `KafkaProducer`. The producer is always idempotent with `acks=all`, so
/// retries inside librdkafka never duplicate or reorder messages.
public struct KafkaProducerConfiguration: Sendable {
    /// `bootstrap.servers`, e.g. `["127.0.0.1:9092"]`.
    public var bootstrapServers: [String]
    /// `client.id`, shown in broker logs.
    public var clientID: String
    /// `queue.buffering.max.messages`: how many undelivered messages librdkafka holds before `send` throws `queueFull`.
    public var maxQueuedMessages: Int
    /// `linger.ms`: how long librdkafka waits to fill a batch.
    public var linger: Duration
    /// `delivery.timeout.ms`: after this a message fails with `messageTimedOut`.
    public var messageTimeout: Duration
    /// How long graceful shutdown waits for outstanding messages before reporting them as failed.
    public var shutdownFlushTimeout: Duration
    /// How long the poll loop sleeps when the event queue is empty (bounds delivery-report latency).
    public var pollInterval: Duration
    /// Any other librdkafka property. Applied last, except that idempotence and `acks=all` are enforced.
    public var extraProperties: [String: String]

    public init(
        bootstrapServers: [String],
        clientID: String = "sessionrank",
        maxQueuedMessages: Int = 100_000,
        linger: Duration = .milliseconds(5),
        messageTimeout: Duration = .seconds(30),
        shutdownFlushTimeout: Duration = .seconds(10),
        pollInterval: Duration = .milliseconds(5),
        extraProperties: [String: String] = [:]
    ) {
        self.bootstrapServers = bootstrapServers
        self.clientID = clientID
        self.maxQueuedMessages = maxQueuedMessages
        self.linger = linger
        self.messageTimeout = messageTimeout
        self.shutdownFlushTimeout = shutdownFlushTimeout
        self.pollInterval = pollInterval
        self.extraProperties = extraProperties
    }

    /// The librdkafka properties this configuration stands for.
    var rdKafkaProperties: [String: String] {
        var properties = extraProperties
        properties["bootstrap.servers"] = bootstrapServers.joined(separator: ",")
        properties["client.id"] = clientID
        properties["queue.buffering.max.messages"] = String(maxQueuedMessages)
        properties["linger.ms"] = String(linger.clampedMilliseconds)
        properties["delivery.timeout.ms"] = String(messageTimeout.clampedMilliseconds)
        properties["enable.idempotence"] = "true"
        properties["acks"] = "all"
        return properties
    }
}

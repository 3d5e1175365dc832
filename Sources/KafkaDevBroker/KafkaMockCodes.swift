import KafkaClient
import CRdKafka

/// A Kafka protocol request type (ApiKey), for fault injection on the dev broker.
public struct KafkaAPIKey: Hashable, Sendable {
    public let rawValue: Int16
    public init(rawValue: Int16) { self.rawValue = rawValue }

    public static let produce = KafkaAPIKey(rawValue: 0)
    public static let fetch = KafkaAPIKey(rawValue: 1)
    public static let metadata = KafkaAPIKey(rawValue: 3)
    public static let initProducerID = KafkaAPIKey(rawValue: 22)
}

/// A broker error code to inject. Retriable ones make an idempotent producer retry the
/// same batch, which must not create duplicates.
public struct KafkaBrokerError: Hashable, Sendable {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// Answer normally; combined with a delay it only slows the response down.
    public static let noError = KafkaBrokerError(rawValue: RD_KAFKA_RESP_ERR_NO_ERROR.rawValue)
    public static let notLeaderForPartition = KafkaBrokerError(rawValue: RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION.rawValue)
    public static let requestTimedOut = KafkaBrokerError(rawValue: RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT.rawValue)
    public static let notEnoughReplicas = KafkaBrokerError(rawValue: RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS.rawValue)
    /// Not a protocol error: the mock broker drops the connection instead of answering.
    public static let disconnect = KafkaBrokerError(rawValue: RD_KAFKA_RESP_ERR__TRANSPORT.rawValue)
}

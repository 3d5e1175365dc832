import CRdKafka

/// An error from the Kafka client: a stable, extensible `code` to switch on, the underlying
/// librdkafka code when there is one, and a message that says what happened and what to do.
public struct KafkaError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is. A struct rather than an enum so new codes can be added
    /// without breaking callers that switch over it.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: String, Sendable {
            case queueFull, messageTimedOut, brokerUnavailable, fatal, configuration
            case timedOut, purged, unknownTopicOrPartition, shutDown, messageTooLarge, kafka
        }
        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        /// The producer's local queue (`queue.buffering.max.messages`) is full; the message was not taken.
        public static let queueFull = Code(.queueFull)
        /// The message was not acknowledged within `delivery.timeout.ms`.
        public static let messageTimedOut = Code(.messageTimedOut)
        /// No broker could be reached.
        public static let brokerUnavailable = Code(.brokerUnavailable)
        /// The client hit a fatal error (e.g. the idempotent producer lost its guarantees).
        public static let fatal = Code(.fatal)
        /// A configuration property was rejected.
        public static let configuration = Code(.configuration)
        /// A request with a deadline did not finish in time.
        public static let timedOut = Code(.timedOut)
        /// The message was purged from the queue before delivery (shutdown or handle recreation).
        public static let purged = Code(.purged)
        /// The topic or partition does not exist.
        public static let unknownTopicOrPartition = Code(.unknownTopicOrPartition)
        /// The client is shutting down or has shut down, and takes no more work.
        public static let shutDown = Code(.shutDown)
        /// The message is larger than `message.max.bytes`.
        public static let messageTooLarge = Code(.messageTooLarge)
        /// Any other librdkafka or broker error; see `rdKafkaCode`.
        public static let kafka = Code(.kafka)

        public var description: String { kind.rawValue }
    }

    public let code: Code
    public let message: String
    /// The raw `rd_kafka_resp_err_t`, when the error came from librdkafka.
    public let rdKafkaCode: Int32?

    public init(code: Code, message: String, rdKafkaCode: Int32? = nil) {
        self.code = code
        self.message = message
        self.rdKafkaCode = rdKafkaCode
    }

    public var description: String {
        if let rdKafkaCode {
            return "KafkaError.\(code) (rdkafka \(rdKafkaCode)): \(message)"
        }
        return "KafkaError.\(code): \(message)"
    }
}

extension KafkaError {
    /// Maps a librdkafka response code to a `KafkaError` with advice for the operator.
    /// `context` says what the client was doing, e.g. "producing to topic events".
    package init(rdKafka error: rd_kafka_resp_err_t, context: String, detail: String? = nil) {
        let name = String(cString: rd_kafka_err2str(error))
        let what = detail.map { "\(context): \($0)" } ?? "\(context): \(name)"
        let code: Code
        let advice: String
        switch error {
        case RD_KAFKA_RESP_ERR__QUEUE_FULL:
            code = .queueFull
            advice = "the local queue is full; the broker is slow or down. Retry later, spill, or raise queue.buffering.max.messages."
        case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT:
            code = .messageTimedOut
            advice = "no acknowledgement within delivery.timeout.ms; check that the brokers are reachable, then resend."
        case RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
            code = .brokerUnavailable
            advice = "check bootstrap servers and that the brokers are up."
        case RD_KAFKA_RESP_ERR__FATAL:
            code = .fatal
            advice = "the client handle is unusable and must be recreated; undelivered messages must be resent."
        case RD_KAFKA_RESP_ERR__TIMED_OUT:
            code = .timedOut
            advice = "the request did not finish before its deadline; check broker reachability or raise the timeout."
        case RD_KAFKA_RESP_ERR__PURGE_QUEUE, RD_KAFKA_RESP_ERR__PURGE_INFLIGHT:
            code = .purged
            advice = "the message was dropped before delivery; resend it if it matters."
        case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC, RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION,
            RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
            code = .unknownTopicOrPartition
            advice = "create the topic (kafka-dev creates events and feedback) or fix the topic/partition name."
        case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
            code = .messageTooLarge
            advice = "make the message smaller or raise message.max.bytes on client and broker."
        case RD_KAFKA_RESP_ERR__INVALID_ARG:
            code = .configuration
            advice = "an argument or property was invalid; fix the call or configuration."
        default:
            code = .kafka
            advice = "see the librdkafka error name for details."
        }
        self.init(code: code, message: "\(what) — \(advice)", rdKafkaCode: error.rawValue)
    }

    package static func shutDown(_ what: String) -> KafkaError {
        KafkaError(code: .shutDown, message: "\(what): the client is shutting down or stopped; start a new one to continue.")
    }

    static func configuration(_ what: String) -> KafkaError {
        KafkaError(code: .configuration, message: "\(what) — fix the configuration value named above.")
    }
}

import KafkaClient
import CRdKafka
import Logging
import Synchronization

/// An in-process Kafka cluster: librdkafka's mock brokers, which speak the real protocol
/// over TCP on loopback (ephemeral ports). Backs `sessionrank kafka-dev` and the fault tests.
///
/// Owns the mock cluster and the host `rd_kafka_t` it needs; both are destroyed by `stop()`
/// or `deinit`, cluster first.
public final class KafkaDevBroker: Sendable {
    /// The project's topics.
    public static let defaultTopics = ["events", "feedback"]

    private struct Pointers: @unchecked Sendable {
        let host: OpaquePointer
        let cluster: OpaquePointer
    }

    /// Nil once stopped. The mock API is thread-safe; the lock only guards against use after stop.
    private let pointers: Mutex<Pointers?>
    /// `host:port` list of the mock brokers' own listeners.
    public let bootstrapServers: String

    /// Starts `brokerCount` mock brokers (ids 1...brokerCount) and creates `topics`.
    public init(
        brokerCount: Int = 1,
        topics: [String] = KafkaDevBroker.defaultTopics,
        partitions: Int = 4,
        replicationFactor: Int = 1
    ) throws(KafkaError) {
        // The host handle is only bookkeeping for the mock; it never connects anywhere.
        let host = try RDKafkaHandle.makeRaw(kind: .producer, properties: ["log_level": "3"])
        guard let cluster = rd_kafka_mock_cluster_new(host, Int32(brokerCount)) else {
            rd_kafka_destroy(host)
            throw KafkaError(code: .kafka, message: "rd_kafka_mock_cluster_new failed; is loopback networking available?")
        }
        let pointers = Pointers(host: host, cluster: cluster)
        self.pointers = Mutex(pointers)
        self.bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
        for topic in topics {
            // On failure self deinits, which stops the cluster.
            try createTopic(topic, partitions: partitions, replicationFactor: replicationFactor)
        }
    }

    deinit {
        stop()
    }

    /// Destroys the mock cluster; clients then see their brokers vanish. Idempotent.
    public func stop() {
        guard let pointers = pointers.withLock({ current in defer { current = nil }; return current }) else { return }
        rd_kafka_mock_cluster_destroy(pointers.cluster)
        rd_kafka_destroy(pointers.host)
    }

    public func createTopic(_ name: String, partitions: Int, replicationFactor: Int = 1) throws(KafkaError) {
        let error = try withCluster("creating topic \(name)") { cluster in
            rd_kafka_mock_topic_create(cluster, name, Int32(partitions), Int32(replicationFactor))
        }
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(rdKafka: error, context: "creating mock topic \(name)")
        }
    }

    /// Drops the broker's connections and refuses new ones (no leader change).
    public func setBrokerDown(_ brokerID: Int32) throws(KafkaError) {
        let error = try withCluster("setting broker \(brokerID) down") { rd_kafka_mock_broker_set_down($0, brokerID) }
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(rdKafka: error, context: "setting mock broker \(brokerID) down")
        }
    }

    /// Lets the broker accept connections again.
    public func setBrokerUp(_ brokerID: Int32) throws(KafkaError) {
        let error = try withCluster("setting broker \(brokerID) up") { rd_kafka_mock_broker_set_up($0, brokerID) }
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(rdKafka: error, context: "setting mock broker \(brokerID) up")
        }
    }

    /// The next `errors.count` requests of type `apiKey` fail with these errors, in order.
    public func pushRequestErrors(_ apiKey: KafkaAPIKey, errors: [KafkaBrokerError]) throws(KafkaError) {
        let codes = errors.map { rd_kafka_resp_err_t(rawValue: $0.rawValue) }
        try withCluster("injecting request errors") { cluster in
            codes.withUnsafeBufferPointer {
                rd_kafka_mock_push_request_errors_array(cluster, apiKey.rawValue, $0.count, $0.baseAddress)
            }
        }
    }

    /// Like `pushRequestErrors`, but only for requests reaching broker `brokerID`, each answered
    /// after `delay`. Delays keep several requests in flight, the case that tests idempotence.
    public func pushBrokerRequestErrors(
        brokerID: Int32,
        _ apiKey: KafkaAPIKey,
        errors: [KafkaBrokerError],
        delay: Duration = .zero
    ) throws(KafkaError) {
        for error in errors {
            let result = try withCluster("injecting request errors on broker \(brokerID)") { cluster in
                sessionrank_mock_broker_push_request_error_rtt(
                    cluster, brokerID, apiKey.rawValue, rd_kafka_resp_err_t(rawValue: error.rawValue), delay.clampedMilliseconds)
            }
            guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaError(rdKafka: result, context: "injecting request errors on mock broker \(brokerID)")
            }
        }
    }

    /// How many errors pushed with `pushBrokerRequestErrors` have not been served yet.
    public func remainingBrokerRequestErrors(brokerID: Int32, _ apiKey: KafkaAPIKey) throws(KafkaError) -> Int {
        let (result, count) = try withCluster("reading the error stack of broker \(brokerID)") { cluster in
            var count = 0
            let result = rd_kafka_mock_broker_error_stack_cnt(cluster, brokerID, apiKey.rawValue, &count)
            return (result, count)
        }
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(rdKafka: result, context: "reading the error stack of mock broker \(brokerID)")
        }
        return count
    }

    private func withCluster<Result: Sendable>(
        _ what: String,
        _ body: (OpaquePointer) -> Result
    ) throws(KafkaError) -> Result {
        // Held during the call so stop() cannot destroy the cluster underneath it; the calls are quick.
        let result: Result? = pointers.withLock { pointers in pointers.map { body($0.cluster) } }
        guard let result else { throw .shutDown("\(what) on the dev broker") }
        return result
    }
}

import KafkaClient
import Logging
import NIOPosix
import ServiceLifecycle

/// Runs a `KafkaDevBroker` behind a fixed loopback port until graceful shutdown or cancellation.
public struct KafkaDevBrokerService: Service {
    public let port: Int
    public let topics: [String]
    public let partitions: Int
    private let logger: Logger

    public init(
        port: Int = 9092,
        topics: [String] = KafkaDevBroker.defaultTopics,
        partitions: Int = 4,
        logger: Logger
    ) {
        self.port = port
        self.topics = topics
        self.partitions = partitions
        self.logger = logger
    }

    public func run() async throws {
        let broker = try KafkaDevBroker(brokerCount: 1, topics: topics, partitions: partitions)
        let forwarder: TCPForwarder
        do {
            let upstream = try Self.firstAddress(of: broker.bootstrapServers)
            forwarder = try await TCPForwarder.start(
                host: "127.0.0.1",
                port: port,
                upstreamHost: upstream.host,
                upstreamPort: upstream.port
            )
        } catch {
            await Self.stop(broker)
            throw error
        }
        let bootstrap = "127.0.0.1:\(forwarder.localPort ?? port)"
        logger.notice(
            "Kafka dev broker ready",
            metadata: [
                "bootstrap": "\(bootstrap)",
                "mockBroker": "\(broker.bootstrapServers)",
                "topics": "\(topics.joined(separator: ","))",
                "partitions": "\(partitions)",
            ]
        )
        // Returns on graceful shutdown, throws CancellationError on cancellation; stop either way.
        let stopReason: (any Error)?
        do {
            try await gracefulShutdown()
            stopReason = nil
        } catch {
            stopReason = error
        }
        try? await forwarder.close()
        await Self.stop(broker)
        logger.notice("Kafka dev broker stopped")
        if let stopReason { throw stopReason }
    }

    /// Destroying the mock cluster joins its threads (about a second); keep that off the cooperative pool.
    private static func stop(_ broker: KafkaDevBroker) async {
        do {
            try await NIOThreadPool.singleton.runIfActive { broker.stop() }
        } catch {
            broker.stop()
        }
    }

    static func firstAddress(of bootstrapServers: String) throws(KafkaError) -> (host: String, port: Int) {
        let first = bootstrapServers.split(separator: ",").first ?? ""
        guard let colon = first.lastIndex(of: ":"), let port = Int(first[first.index(after: colon)...]) else {
            throw KafkaError(code: .kafka, message: "unexpected mock bootstrap list '\(bootstrapServers)'; expected host:port")
        }
        return (String(first[..<colon]), port)
    }
}

/// Runs the dev broker on `127.0.0.1:port` until SIGTERM/SIGINT (graceful) or task cancellation.
/// This is what `sessionrank kafka-dev` calls.
public func runKafkaDevBroker(
    port: Int = 9092,
    topics: [String] = KafkaDevBroker.defaultTopics,
    partitions: Int = 4,
    logger: Logger
) async throws {
    let service = KafkaDevBrokerService(port: port, topics: topics, partitions: partitions, logger: logger)
    let group = ServiceGroup(
        configuration: .init(
            services: [.init(service: service)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
    )
    try await group.run()
}

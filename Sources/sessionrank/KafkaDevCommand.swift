import ArgumentParser
import KafkaClient
import KafkaDevBroker
import Logging

struct KafkaDevCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kafka-dev",
        abstract: "Run a local Kafka-protocol broker (librdkafka's mock cluster) for development and tests.",
        discussion: """
            Listens on 127.0.0.1:PORT and creates the topics. Data lives in memory only and is gone when the
            process stops. Production uses a real Kafka cluster; this is for `make run` and `make test`.
            """
    )

    @Option(help: "Fixed loopback port clients bootstrap from.") var port = 9092
    @Option(help: "Partitions per topic.") var partitions = 4
    @Option(parsing: .upToNextOption, help: "Topics to create.") var topics = ["events", "feedback"]

    func validate() throws {
        guard (1...65_535).contains(port) else { throw ValidationError("--port must be from 1 to 65535") }
        guard (1...64).contains(partitions) else { throw ValidationError("--partitions must be from 1 to 64") }
        guard !topics.isEmpty else { throw ValidationError("--topics needs at least one topic name") }
    }

    func run() async throws {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        try await runKafkaDevBroker(port: port, topics: topics, partitions: partitions, logger: Logger(label: "sessionrank.kafka-dev"))
    }
}

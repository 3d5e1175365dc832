import Foundation
import Hummingbird
import HummingbirdTesting
import KafkaClient
import Logging
import Prometheus
import Testing

@testable import RecommendationServer
@testable import SessionRankAdapters
@testable import SessionRankCore

/// Builds the real service against the local stack the test script started.
enum TestServer {
    static let privacyToken = "privacy-token-for-tests-0123456789"
    /// The storefront backend's server key: getJSON and postJSON send it unless told otherwise,
    /// so suites that name userId or requestId call as the storefront backend does.
    static let storefrontKey = "storefront-key-for-tests-0123456789"
    static let viewerToken = "viewer-token-for-tests-0123456789"
    /// Two visitor token keys, as during a rotation.
    static let visitorKeys = [
        VisitorTokenKey(kid: "test-2025", secret: Array("visitor-key-one-for-tests-0123456789abcdef".utf8)),
        VisitorTokenKey(kid: "test-2026", secret: Array("visitor-key-two-for-tests-0123456789abcdef".utf8)),
    ]
    static let storefrontHeaders: HTTPFields = [.authorization: "Bearer \(storefrontKey)"]

    static let logger: Logger = {
        var logger = Logger(label: "test.server")
        logger.logLevel = .warning
        return logger
    }()

    static func configuration() throws -> ServiceConfiguration {
        var configuration = ServiceConfiguration()
        configuration.http.port = 0
        configuration.redis.url = try IntegrationEnvironment.require("SESSIONRANK_REDIS_URL")
        configuration.postgres.url = try IntegrationEnvironment.require("SESSIONRANK_POSTGRES_URL")
        configuration.kafka.bootstrapServers = try IntegrationEnvironment.require("SESSIONRANK_KAFKA_BOOTSTRAP")
        // Generous budgets: the tests share two cores with the servers.
        configuration.redis.commandTimeoutMilliseconds = 2_000
        configuration.enrichment.budgetMilliseconds = 2_000
        configuration.recommend.budgetMilliseconds = 2_000
        // Each app gets its own snapshot folder, so apps never load each other's snapshots.
        configuration.model.snapshotDirectory = temporaryDirectory("snapshots")
        // Suites share the log, so a learning model would see every other suite's events; the
        // model updater's own suite turns learning on.
        configuration.model.learnFromLog = false
        // Every in-process test client is the same "unknown" peer; the limiter has its own tests.
        configuration.rateLimit.requestsPerSecond = 0
        // The privacy endpoints need a token of role privacy; suites that test tokens set their own.
        configuration.admin.tokens = [
            AdminToken(name: "test-privacy", role: .privacy, token: privacyToken),
            AdminToken(name: "test-storefront", role: .storefront, token: storefrontKey),
            AdminToken(name: "test-viewer", role: .viewer, token: viewerToken),
        ]
        configuration.storefront.visitorTokenKeys = visitorKeys
        // Some suites fire a thousand requests at once on purpose; admission control has its own tests.
        configuration.http.maxInFlightRequests = 0
        return configuration
    }

    /// Runs `body` against the app with every service running and the catalog loaded; `.live`
    /// serves on a real loopback port (`client.port`) for clients outside the process.
    static func withApp(
        mode: TestingSetup = .router,
        logger: Logger = TestServer.logger,
        _ configure: (inout ServiceConfiguration) -> Void = { _ in },
        _ body: @escaping @Sendable (any TestClientProtocol, ServerComponents) async throws -> Void
    ) async throws {
        var configuration = try configuration()
        let ownSnapshots = configuration.model.snapshotDirectory
        configure(&configuration)
        // Suites that bring their own tokens still get the storefront key the helpers send.
        if !configuration.admin.tokens.contains(where: { $0.role == .storefront }) {
            configuration.admin.tokens.append(AdminToken(name: "test-storefront", role: .storefront, token: storefrontKey))
        }
        // The snapshot the app writes on shutdown is only kept when the test chose the folder.
        defer { try? FileManager.default.removeItem(atPath: ownSnapshots) }
        let components = try ServerComponents(configuration: configuration, metricsRegistry: PrometheusCollectorRegistry(), logger: logger)
        let app = buildApplication(components: components, logger: logger)
        try await app.test(mode) { client in
            await components.catalogRefresher.refresh()
            try await body(client, components)
        }
    }

    /// A fresh folder under the system's temporary directory.
    static func temporaryDirectory(_ prefix: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("sessionrank-tests").appendingPathComponent(uniqueId(prefix)).path
    }

    /// A unique id per test run, so tests never see each other's sessions or records.
    static func uniqueId(_ prefix: String) -> String {
        "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
    }
}

extension TestClientProtocol {
    @discardableResult
    func postJSON(
        _ uri: String, _ json: String, headers: HTTPFields = TestServer.storefrontHeaders
    ) async throws -> (status: HTTPResponse.Status, body: String) {
        var headers = headers
        headers[.contentType] = "application/json"
        return try await execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: json)) { response in
            (response.status, String(buffer: response.body))
        }
    }

    func getJSON(_ uri: String, headers: HTTPFields = TestServer.storefrontHeaders) async throws -> (status: HTTPResponse.Status, body: String) {
        try await execute(uri: uri, method: .get, headers: headers) { response in (response.status, String(buffer: response.body)) }
    }

    /// A call to a privacy endpoint, with the test privacy token unless another (or none) is given.
    @discardableResult
    func privacyCall(
        _ method: HTTPRequest.Method, _ uri: String, body: String? = nil, token: String? = TestServer.privacyToken
    ) async throws -> (status: HTTPResponse.Status, body: String) {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { response in
            (response.status, String(buffer: response.body))
        }
    }
}

/// Reads records of `topic` from the beginning until `isComplete` holds for those matching `filter`.
func readRecords(
    topic: String, where filter: @escaping @Sendable (EventRecordProbe) -> Bool,
    until isComplete: @escaping @Sendable ([EventRecordProbe]) -> Bool, within limit: Duration = .seconds(20)
) async throws -> [EventRecordProbe] {
    let decode: @Sendable (KafkaConsumerMessage) -> EventRecordProbe? = { message in
        guard var probe = try? JSONDecoder().decode(EventRecordProbe.self, from: Data(message.value)) else { return nil }
        probe.key = message.keyString
        return probe
    }
    let messages = try await readMessages(topic: topic, within: limit) { message in
        decode(message).map(filter) ?? false
    } until: { messages in isComplete(messages.compactMap(decode)) }
    return messages.compactMap(decode)
}

/// The values of records of `topic` that match `filter`, read from the beginning until `isComplete` holds.
func readRawRecords(
    topic: String, within limit: Duration = .seconds(20), where filter: @escaping @Sendable ([UInt8]) -> Bool,
    until isComplete: @escaping @Sendable ([[UInt8]]) -> Bool
) async throws -> [[UInt8]] {
    try await readMessages(topic: topic, within: limit) { filter($0.value) } until: { isComplete($0.map(\.value)) }.map(\.value)
}

/// Records per partition a reader looks back; far more than one test run writes.
let recentRecordWindow: Int64 = 5_000

private func readMessages(
    topic: String, within limit: Duration, where filter: @escaping @Sendable (KafkaConsumerMessage) -> Bool,
    until isComplete: @escaping @Sendable ([KafkaConsumerMessage]) -> Bool
) async throws -> [KafkaConsumerMessage] {
    let bootstrap = try IntegrationEnvironment.require("SESSIONRANK_KAFKA_BOOTSTRAP")
    // The shared broker may hold millions of records from load tests: a test's own records are
    // among the newest, so only a recent window of each partition is read.
    let probe = try KafkaConsumer(
        configuration: KafkaConsumerConfiguration(bootstrapServers: [bootstrap], mode: .assignment([])), logger: TestServer.logger)
    var assignments: [KafkaConsumerConfiguration.PartitionAssignment] = []
    for partition in Int32(0)..<4 {
        let end = try await probe.highWatermark(topic: topic, partition: partition)
        assignments.append(.init(topic: topic, partition: partition, startOffset: .offset(max(0, end - recentRecordWindow))))
    }
    await probe.close()
    // The dev broker drops old segments: a window start below the log's start is out of range,
    // and must then mean "from the oldest record kept", not librdkafka's default "from the end".
    let consumer = try KafkaConsumer(
        configuration: KafkaConsumerConfiguration(
            bootstrapServers: [bootstrap], mode: .assignment(assignments), extraProperties: ["auto.offset.reset": "earliest"]),
        logger: TestServer.logger)
    return try await collect(from: consumer, within: limit, where: filter, until: isComplete)
}

/// The fields of a published record the tests look at, decoded loosely so any topic's JSON fits.
struct EventRecordProbe: Decodable, Sendable {
    var eventId: String?
    var recommendationId: String?
    var type: String?
    var sessionId: String?
    var userId: String?
    var personalized: Bool?
    var analytics: Bool?
    var requestId: String?
    var region: String?
    var context: Context?
    var enrichment: Enrichment?
    var key: String?

    struct Context: Decodable, Sendable {
        var referrer: String?
    }

    struct Enrichment: Decodable, Sendable {
        var status: String?
        var channel: String?
        var campaign: String?
        var ageBand: String?
        var kycStatus: String?
        var segment: String?
        var userRegion: String?
    }
}

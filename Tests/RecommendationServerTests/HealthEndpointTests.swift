import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Prometheus
import Testing

@testable import RecommendationServer
@testable import SessionRankAdapters
@testable import SessionRankCore

@Suite(
    "Health and metrics endpoints",
    .enabled(if: IntegrationEnvironment.enabled(needs: "SESSIONRANK_POSTGRES_URL", "SESSIONRANK_REDIS_URL", "SESSIONRANK_KAFKA_BOOTSTRAP"))
)
struct HealthEndpointTests {
    func configuration(postgresURL: String? = nil) throws -> ServiceConfiguration {
        // The shared test settings give Redis commands a budget that survives a busy two-core machine.
        var configuration = try TestServer.configuration()
        if let postgresURL { configuration.postgres.url = postgresURL }
        configuration.health.checkTimeoutMilliseconds = 2_000
        return configuration
    }

    @Test("/health/live answers 200 whatever the dependencies do")
    func live() async throws {
        // Nothing listens on port 1: PostgreSQL is down for this app.
        let app = try buildApplication(
            configuration: configuration(postgresURL: "postgres://nobody@127.0.0.1:1/none"),
            metricsRegistry: PrometheusCollectorRegistry(), logger: Logger(label: "test"))
        try await app.test(.live) { client in
            try await client.execute(uri: "/health/live", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("\"live\""))
                #expect(response.headers[.requestID]?.isEmpty == false)
            }
        }
    }

    @Test("/health/ready is 200 and ready when Redis, PostgreSQL and Kafka answer")
    func ready() async throws {
        let app = try buildApplication(
            configuration: configuration(), metricsRegistry: PrometheusCollectorRegistry(), logger: Logger(label: "test"))
        try await app.test(.live) { client in
            // The catalog loads in the background at start; ready waits for it.
            for _ in 0..<100 {
                let status = try await client.execute(uri: "/health/ready", method: .get) { $0.status }
                if status == .ok { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            try await client.execute(uri: "/health/ready", method: .get) { response in
                let report = try JSONDecoder().decode(ReadinessReport.self, from: response.body)
                #expect(response.status == .ok)
                #expect(report.status == .ready)
                #expect(report.checks["postgres"]?.status == "up")
                #expect(report.checks["redis"]?.status == "up")
                #expect(report.checks["kafka"]?.status == "up")
                #expect(report.checks["catalog"]?.status == "up")
                #expect(report.model?.origin.isEmpty == false)
            }
        }
    }

    @Test("/health/ready is 503 and names the dependency that is down")
    func notReady() async throws {
        let app = try buildApplication(
            configuration: configuration(postgresURL: "postgres://nobody@127.0.0.1:1/none"),
            metricsRegistry: PrometheusCollectorRegistry(), logger: Logger(label: "test"))
        try await app.test(.live) { client in
            try await client.execute(uri: "/health/ready", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                let report = try JSONDecoder().decode(ReadinessReport.self, from: response.body)
                #expect(report.status == .degraded)
                #expect(report.checks["redis"]?.status == "up")
                let postgres = try #require(report.checks["postgres"])
                #expect(postgres.status == "down")
                #expect(postgres.error?.isEmpty == false)
            }
        }
    }

    @Test("/metrics serves the registry in the Prometheus text format")
    func metrics() async throws {
        let registry = PrometheusCollectorRegistry()
        registry.makeCounter(
            descriptor: MetricNameDescriptor(metricName: "sessionrank_test_marker", unitName: "total", helpText: "A marker."),
            labels: [("kind", "probe")]).increment(by: Int64(3))
        let app = try buildApplication(configuration: configuration(), metricsRegistry: registry, logger: Logger(label: "test"))
        try await app.test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
                let text = String(buffer: response.body)
                #expect(text.contains("# TYPE sessionrank_test_marker_total counter"))
                #expect(text.contains("sessionrank_test_marker_total{kind=\"probe\"} 3"))
            }
        }
    }
}

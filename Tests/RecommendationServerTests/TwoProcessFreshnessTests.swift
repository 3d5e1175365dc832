import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import RecommendationServer
@testable import SessionRankAdapters
@testable import SessionRankCore

/// Freshness across real processes: two `sessionrank serve` processes share Redis, PostgreSQL
/// and the dev broker but no memory; an event accepted by A must change B's model-based
/// recommendations within 1 s at p99 (issue 6).
@Suite(
    "Freshness between two service processes",
    .enabled(if: IntegrationEnvironment.enabled(needs: "SESSIONRANK_POSTGRES_URL", "SESSIONRANK_REDIS_URL", "SESSIONRANK_KAFKA_BOOTSTRAP")),
    .serialized
)
struct TwoProcessFreshnessTests {
    static let probes = 50

    /// Learning from the log, no snapshot (each process starts empty and reads from the end of
    /// the log), generous dependency budgets for a busy machine, no rate limit.
    static let settings = [
        "SESSIONRANK_MODEL_LEARN_FROM_LOG": "true",
        "SESSIONRANK_MODEL_BOOTSTRAP_DEMO_SESSIONS": "0",
        "SESSIONRANK_RATE_LIMIT_REQUESTS_PER_SECOND": "0",
        "SESSIONRANK_REDIS_COMMAND_TIMEOUT_MILLISECONDS": "2000",
        "SESSIONRANK_ENRICHMENT_BUDGET_MILLISECONDS": "2000",
        "SESSIONRANK_RECOMMEND_BUDGET_MILLISECONDS": "3000",
        "SESSIONRANK_RECOMMEND_SESSION_TIMEOUT_MILLISECONDS": "1000",
        "SESSIONRANK_RECOMMEND_PROFILE_TIMEOUT_MILLISECONDS": "1000",
        "SESSIONRANK_LOGGING_LEVEL": "warning",
    ]

    /// Demo catalogue items any anonymous visitor may be shown (no age, region, KYC or risk rule),
    /// shuffled per run: pairs of them are linked by the probes.
    static func unrestrictedItems() -> [String] {
        var generator = SystemRandomNumberGenerator()
        return DemoDataGenerator().products()
            .filter { $0.inStock && $0.forSale && $0.minAge == 0 && $0.allowedRegions == nil && $0.blockedRegions.isEmpty && !$0.requiresKYC && $0.riskLevel == 0 }
            .map(\.id).shuffled(using: &generator)
    }

    func views(session: String, items: [String]) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return "[" + items.enumerated().map { index, item in
            let time = formatter.string(from: Date().addingTimeInterval(Double(index) - 5))
            return #"{"eventId":"\#(TestServer.uniqueId("e"))","type":"product_view","sessionId":"\#(session)","itemId":"\#(item)","timestamp":"\#(time)"}"#
        }.joined(separator: ",") + "]"
    }

    /// Whether B, asked on the page of `item`, recommends `expected`.
    func recommends(_ client: TestClient, session: String, after item: String, _ expected: String) async throws -> Bool {
        let response = try await client.get("/v1/recommend?sessionId=\(session)&itemId=\(item)&limit=20")
        guard response.status == .ok else { return false }
        return String(buffer: response.body ?? ByteBuffer()).contains(#""itemId":"\#(expected)""#)
    }

    @Test("an event accepted by process A changes process B's recommendations within 1 s at p99")
    func eventReachesOtherProcess() async throws {
        let a = try await ReplicaProcess(name: "replica-a", settings: Self.settings)
        let b = try await ReplicaProcess(name: "replica-b", settings: Self.settings)
        do {
            try await a.waitUntilReady()
            try await b.waitUntilReady()
            let pool = Self.unrestrictedItems()
            try #require(pool.count >= 2 * (Self.probes + 1) + 20)
            let timeout = TestClient.Configuration(timeout: .seconds(10))
            try await TestClient.withClient(host: "127.0.0.1", port: a.port, configuration: timeout) { clientA in
                try await TestClient.withClient(host: "127.0.0.1", port: b.port, configuration: timeout) { clientB in
                    var items = pool[...]
                    var latencies: [Double] = []
                    var warmUp = 0.0
                    var probe = 0
                    // Probe 0 waits for B's first fetch and is reported apart; `probes` are measured.
                    while probe <= Self.probes {
                        let id = TestServer.uniqueId("fresh")
                        guard let first = items.popFirst(), let second = items.popFirst() else { Issue.record("ran out of items"); return }
                        // A pair B does not link yet (the shared log may link anything): else take the next pair.
                        if try await recommends(clientB, session: "\(id)-check", after: first, second) { continue }
                        let posted = try await clientA.post(
                            "/v1/events", headers: [.contentType: "application/json"], body: ByteBuffer(string: views(session: id, items: [first, second])))
                        #expect(posted.status == .accepted, "\(String(buffer: posted.body ?? ByteBuffer()))")
                        let accepted = ContinuousClock.now
                        var seen = false
                        while ContinuousClock.now - accepted < .seconds(10) {
                            if try await recommends(clientB, session: "\(id)-probe", after: first, second) {
                                seen = true
                                break
                            }
                            try await Task.sleep(for: .milliseconds(2))
                        }
                        let latency = (ContinuousClock.now - accepted) / .milliseconds(1)
                        #expect(seen, "process B never recommended \(second) after \(first)")
                        if probe == 0 { warmUp = latency } else { latencies.append(latency) }
                        probe += 1
                    }
                    latencies.sort()
                    let p50 = latencies[latencies.count / 2]
                    let p99 = latencies[min(latencies.count - 1, Int((Double(latencies.count) * 0.99).rounded(.up)) - 1)]
                    print(String(format: "freshness A→B, two processes, %d probes: p50 %.0f ms, p99 %.0f ms, max %.0f ms; warm-up probe %.0f ms",
                                 latencies.count, p50, p99, latencies.last!, warmUp))
                    #expect(p99 <= 1_000, "p99 \(p99) ms; sorted latencies \(latencies.map { Int($0) })")
                }
            }
        } catch {
            Issue.record("A log:\n\(a.log.suffix(3_000))\nB log:\n\(b.log.suffix(3_000))")
            await a.stop()
            await b.stop()
            throw error
        }
        await a.stop()
        await b.stop()
    }
}

import Foundation
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

@testable import RecommendationServer
@testable import SessionRankAdapters
@testable import SessionRankCore

@Suite("Admission control: in-flight limit per endpoint")
struct InFlightLimiterTests {
    @Test func refusesPastTheLimitAndCountsEachEndpointApart() {
        let limiter = InFlightLimiter(limit: 2, endpoints: ["/v1/events", "/v1/recommend"])
        #expect(limiter.tryAcquire("/v1/events") && limiter.tryAcquire("/v1/events"))
        #expect(!limiter.tryAcquire("/v1/events"))
        #expect(limiter.inFlight("/v1/events") == 2, "a refusal takes nothing")
        #expect(limiter.tryAcquire("/v1/recommend"), "another endpoint has its own count")
        limiter.release("/v1/events")
        #expect(limiter.tryAcquire("/v1/events"))
        #expect(limiter.tryAcquire("/elsewhere") && limiter.tryAcquire("/elsewhere") && limiter.tryAcquire("/elsewhere"), "unknown names are not limited")
    }

    @Test func endpointsByPath() {
        #expect(AdmissionEndpoints.endpoint(of: "/v1/events") == "/v1/events")
        #expect(AdmissionEndpoints.endpoint(of: "/v1/recommend?sessionId=s&limit=3") == "/v1/recommend")
        #expect(AdmissionEndpoints.endpoint(of: "/v1/sessions/s-1") == "/v1/sessions")
        #expect(AdmissionEndpoints.endpoint(of: "/admin/v1/config") == "/admin")
        #expect(AdmissionEndpoints.endpoint(of: "/v1/eventsX") == "other")
        #expect(AdmissionEndpoints.endpoint(of: "/openapi.yaml") == "other")
        #expect(AdmissionEndpoints.endpoint(of: "/health/ready") == nil)
        #expect(AdmissionEndpoints.endpoint(of: "/metrics?x=1") == nil)
    }
}

@Suite(
    "Admission control on the running service",
    .enabled(if: IntegrationEnvironment.enabled(needs: "SESSIONRANK_POSTGRES_URL", "SESSIONRANK_REDIS_URL", "SESSIONRANK_KAFKA_BOOTSTRAP")),
    .serialized
)
struct AdmissionControlTests {
    @Test("past the limit an endpoint answers 503 + Retry-After at once, over a real socket; other endpoints and health still answer")
    func shedsPastTheLimit() async throws {
        let redis = try await RedisServerProcess(binary: try #require(RedisServerProcess.locateBinary(), "redis-server is needed"))
        try await TestServer.withApp(mode: .live, { configuration in
            configuration.http.maxInFlightRequests = 2
            configuration.redis.url = "redis://127.0.0.1:\(redis.port)"
            configuration.redis.commandTimeoutMilliseconds = 20_000
        }) { client, components in
            // Separate connections, as separate clients would use (the test client pipelines on one).
            let port = try #require(client.port)
            func post() async -> ProbeOutcome {
                let event = #"{"eventId":"\#(TestServer.uniqueId("e"))","type":"page_view","sessionId":"\#(TestServer.uniqueId("s"))"}"#
                guard let connection = await ProbeConnection.connect(port: port) else { return .refused }
                defer { Task { await connection.close() } }
                return await connection.send(ProbeRequest(method: .POST, path: "/v1/events", body: event), timeout: .seconds(60))
            }
            func get(_ path: String) async -> Int? {
                guard let connection = await ProbeConnection.connect(port: port) else { return nil }
                defer { Task { await connection.close() } }
                return await connection.send(ProbeRequest(path: path)).response?.status
            }
            let registry = components.dependencies.metrics.registry
            let enrichedSample = #"sessionrank_events_enrichment_total{status="not_needed"}"#
            let enrichedBefore = metricValue(registry, enrichedSample) ?? 0
            // Two event posts wait on the paused Redis: /v1/events is at its limit.
            redis.pause()
            let held = (0..<2).map { _ in Task { await post() } }
            // Both are past admission once enriched; they now wait on Redis.
            let bothHeld = try await poll(within: .seconds(30)) { (metricValue(registry, enrichedSample) ?? 0) >= enrichedBefore + 2 }
            try #require(bothHeld, "the two requests never reached the session update")
            let third = await post()
            let refused = try #require(third.response, "\(third)")
            #expect(refused.status == 503)
            #expect(refused.headers.first(name: "Retry-After") == "1")
            #expect(refused.body.contains(#""code":"overloaded""#), "\(refused.body)")
            #expect(refused.headers.first(name: "X-Request-Id") != nil)
            #expect(metricValue(registry, #"sessionrank_requests_shed_total{endpoint="/v1/events"}"#) ?? 0 >= 1)

            // Health, metrics and other endpoints are not held up by the full one.
            #expect(await get("/health/live") == 200)
            #expect(await get("/metrics") == 200)
            #expect(await get("/v1/recommend?sessionId=\(TestServer.uniqueId("s"))&limit=3") == 200)

            redis.resume()
            for task in held { #expect(await task.value.response?.status == 202, "the held requests finish normally") }
            #expect(await post().response?.status == 202, "room again")
            print("[reliability] admission-control: limit 2 on /v1/events, two held on a paused Redis: the third answered \(refused.status) Retry-After \(refused.headers.first(name: "Retry-After") ?? "-") in \(formatMilliseconds(third.latency)); health, metrics and /v1/recommend answered meanwhile")
        }
        try await redis.stop()
    }
}

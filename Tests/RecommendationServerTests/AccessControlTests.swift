import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import RecommendationServer

@Suite("Per-client rate limits")
struct RateLimiterTests {
    @Test func aBurstPassesThenTheRateHolds() {
        let limiter = RateLimiter(requestsPerSecond: 10, burst: 5)
        let start = ContinuousClock.now
        #expect((0..<5).allSatisfy { _ in limiter.acquire("a", now: start) == nil })
        let wait = limiter.acquire("a", now: start)
        #expect(wait != nil && wait! <= .milliseconds(100))
        // Another client has its own bucket.
        #expect(limiter.acquire("b", now: start) == nil)
        // 100 ms later one token is back, and only one.
        #expect(limiter.acquire("a", now: start + .milliseconds(100)) == nil)
        #expect(limiter.acquire("a", now: start + .milliseconds(100)) != nil)
    }

    @Test func manyClientsStayBounded() {
        let limiter = RateLimiter(requestsPerSecond: 1, burst: 1, maxClients: 160)
        let start = ContinuousClock.now
        for index in 0..<10_000 { _ = limiter.acquire("client-\(index)", now: start) }
        #expect(limiter.trackedClients <= 160)
        // The client just seen is remembered, so its empty bucket still refuses it.
        #expect(limiter.acquire("client-9999", now: start) != nil)
    }
}

@Suite(
    "Rate limit and CORS on the real app",
    .enabled(if: IntegrationEnvironment.enabled(needs: "SESSIONRANK_POSTGRES_URL", "SESSIONRANK_REDIS_URL", "SESSIONRANK_KAFKA_BOOTSTRAP"))
)
struct AccessControlTests {
    @Test("over the limit a client gets 429 with Retry-After and a JSON error; reads are not limited")
    func rateLimited() async throws {
        try await TestServer.withApp({ $0.rateLimit.requestsPerSecond = 1; $0.rateLimit.burst = 2 }) { client, _ in
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<4 {
                let body = #"{"recommendationId":"r-1","sessionId":"s-1","type":"impression"}"#
                try await client.execute(uri: "/v1/feedback", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: body)) { response in
                    statuses.append(response.status)
                    if response.status == .tooManyRequests {
                        #expect(response.headers[.retryAfter].flatMap(Int.init).map { $0 >= 1 } == true)
                        #expect(String(buffer: response.body).contains(#""code":"rate_limited""#))
                        #expect(response.headers[.requestID]?.isEmpty == false)
                    }
                }
            }
            #expect(statuses.prefix(2).allSatisfy { $0 == .accepted })
            #expect(statuses.last == .tooManyRequests)
            let read = try await client.getJSON("/health/live")
            #expect(read.status == .ok)
        }
    }

    @Test("configured origins get CORS headers and preflight answers; others get none")
    func cors() async throws {
        try await TestServer.withApp({ $0.http.corsAllowedOrigins = "https://shop.example" }) { client, _ in
            try await client.execute(
                uri: "/v1/events", method: .options,
                headers: [.origin: "https://shop.example", .accessControlRequestMethod: "POST"]
            ) { response in
                #expect(response.status == .noContent)
                #expect(response.headers[.accessControlAllowOrigin] == "https://shop.example")
                #expect(response.headers[.accessControlAllowMethods]?.contains("POST") == true)
            }
            try await client.execute(uri: "/health/live", method: .get, headers: [.origin: "https://evil.example"]) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.accessControlAllowOrigin] == nil)
            }
            try await client.execute(uri: "/health/live", method: .get, headers: [.origin: "https://shop.example"]) { response in
                #expect(response.headers[.accessControlAllowOrigin] == "https://shop.example")
            }
        }
    }
}

import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import RecommendationServer
@testable import SessionRankAdapters
@testable import SessionRankCore

@Suite(
    "Rate limit on GET /v1/recommend",
    .enabled(if: IntegrationEnvironment.enabled(needs: "SESSIONRANK_POSTGRES_URL", "SESSIONRANK_REDIS_URL", "SESSIONRANK_KAFKA_BOOTSTRAP"))
)
struct RecommendRateLimitTests {
    @Test("a recommend GET records a page view, so it counts against the client's limit; health reads do not")
    func recommendGetIsLimited() async throws {
        try await TestServer.withApp({ $0.rateLimit.requestsPerSecond = 1; $0.rateLimit.burst = 2 }) { client, _ in
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<4 {
                let answer = try await client.getJSON("/v1/recommend?sessionId=\(TestServer.uniqueId("s"))&itemId=p-00004&limit=5")
                statuses.append(answer.status)
                if answer.status == .tooManyRequests { #expect(answer.body.contains(#""code":"rate_limited""#)) }
            }
            #expect(statuses.prefix(2).allSatisfy { $0 == .ok }, "\(statuses)")
            #expect(statuses.last == .tooManyRequests, "\(statuses)")
            for _ in 0..<4 { #expect(try await client.getJSON("/health/live").status == .ok) }
        }
    }
}

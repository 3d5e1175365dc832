import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import RecommendationServer
@testable import SessionRankAdapters
@testable import SessionRankCore

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
            // Only the storefront routes take part in CORS (StorefrontCredentialTests has the rest).
            try await client.execute(uri: "/v1/feedback", method: .post, headers: [.origin: "https://shop.example"], body: ByteBuffer(string: "{}")) { response in
                #expect(response.headers[.accessControlAllowOrigin] == "https://shop.example")
            }
            try await client.execute(uri: "/health/live", method: .get, headers: [.origin: "https://shop.example"]) { response in
                #expect(response.headers[.accessControlAllowOrigin] == nil)
            }
        }
    }
}

/// Every admin and privacy route against every kind of credential: no token, a malformed
/// header, an unknown token, and a token of each role. 401 says "who are you" (with
/// `WWW-Authenticate`), 403 says "not with this role"; an allowed call may still fail on its
/// input (the calls below are built to change nothing), but never with 401, 403 or a 5xx.
@Suite(
    "Tokens and roles on every admin and privacy route",
    .enabled(if: IntegrationEnvironment.enabled(needs: "SESSIONRANK_POSTGRES_URL", "SESSIONRANK_REDIS_URL", "SESSIONRANK_KAFKA_BOOTSTRAP"))
)
struct RouteAuthorizationTests {
    enum Credential: String, CaseIterable {
        case none, malformed, unknown, viewer, editor, privacy, storefront

        var header: String? {
            switch self {
            case .none: nil
            case .malformed: "Basic \(RouteAuthorizationTests.tokens[.viewer]!)"
            case .unknown: "Bearer not-a-configured-token-0123456789"
            case .viewer, .editor, .privacy, .storefront: "Bearer \(RouteAuthorizationTests.tokens[AdminRole(rawValue: rawValue)!]!)"
            }
        }
    }

    static let tokens: [AdminRole: String] = [
        .viewer: "route-viewer-token-0123456789", .editor: "route-editor-token-0123456789", .privacy: "route-privacy-token-0123456789",
        .storefront: "route-storefront-key-0123456789",
    ]

    struct Route {
        var method: HTTPRequest.Method
        var path: String
        var role: AdminRole
        var headers: HTTPFields = [:]
        var body: String? = nil
    }

    /// Every route of AdminRoutes and PrivacyRoutes; a new route must be added here.
    static let routes: [Route] = [
        Route(method: .get, path: "/admin/v1/config", role: .viewer),
        // Without If-Match an editor gets 428: past the role check, nothing stored.
        Route(method: .put, path: "/admin/v1/config", role: .editor, body: "engine: {}"),
        Route(method: .get, path: "/admin/v1/config/versions", role: .viewer),
        Route(method: .get, path: "/admin/v1/config/versions/1", role: .viewer),
        // A stale If-Match makes an editor's rollback a 412 (or 404 without version 1): nothing stored.
        Route(method: .post, path: "/admin/v1/config/rollback/1", role: .editor, headers: [.ifMatch: "\"999999999\""]),
        Route(method: .post, path: "/admin/v1/config/validate", role: .viewer, body: "engine: {}"),
        Route(method: .post, path: "/admin/v1/preview", role: .viewer, headers: [.contentType: "application/json"], body: #"{"items":["p-00001"],"draft":""}"#),
        Route(method: .get, path: "/admin/v1/experiments", role: .viewer),
        Route(method: .get, path: "/admin/v1/kpis", role: .viewer),
        // A bad draft: allowed callers get 400 before any replay starts.
        Route(method: .post, path: "/admin/v1/replay", role: .viewer, headers: [.contentType: "application/json"], body: #"{"draft":"","sessions":0}"#),
        Route(method: .get, path: "/admin/v1/replay/r-unknown", role: .viewer),
        Route(method: .get, path: "/admin/v1/audit", role: .viewer),
        Route(method: .get, path: "/v1/sessions/s-route-auth", role: .privacy),
        Route(method: .delete, path: "/v1/sessions/s-route-auth", role: .privacy),
        // An empty change is a 400 after the role check: no user row is created.
        Route(method: .put, path: "/v1/users/u-route-auth/consent", role: .privacy, headers: [.contentType: "application/json"], body: "{}"),
        Route(method: .get, path: "/v1/users/u-route-auth/data", role: .privacy),
        Route(method: .delete, path: "/v1/users/u-route-auth/data", role: .privacy),
    ]

    @Test("the matrix: 401 without a valid bearer token, 403 for another role, allowed for the right one")
    func matrix() async throws {
        try await TestServer.withApp({ configuration in
            configuration.admin.tokens = Self.tokens.map { AdminToken(name: "route-\($0.key.rawValue)", role: $0.key, token: $0.value) }
            configuration.recommend.rankingPath = AdminConfigTests.shippedFile
            configuration.admin.reloadSeconds = 3_600
        }) { client, components in
            await components.rankingConfig.sync()
            // The list above must hold every protected route the router has.
            let protected = Set(buildRouter(components.dependencies).routes.map { "\($0.method) \(normalizedRoutePath("\($0.path)"))" }
                .filter { $0.contains(" /admin/v1") || $0.contains(" /v1/sessions") || $0.contains(" /v1/users") })
            let listed = Set(Self.routes.map { "\($0.method) \(normalizedRoutePath($0.path))" })
            #expect(protected == listed, "router: \(protected.sorted()); listed: \(listed.sorted())")
            var checked = 0
            for route in Self.routes {
                for credential in Credential.allCases {
                    var headers = route.headers
                    headers[.authorization] = credential.header
                    let label = "\(route.method) \(route.path) as \(credential.rawValue)"
                    try await client.execute(
                        uri: route.path, method: route.method, headers: headers, body: route.body.map { ByteBuffer(string: $0) }
                    ) { response in
                        let body = String(buffer: response.body)
                        switch credential {
                        case .none, .malformed, .unknown:
                            #expect(response.status == .unauthorized, "\(label): \(response.status) \(body)")
                            #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true, "\(label)")
                            #expect(body.contains(#""code":"unauthorized""#) && body.contains(#""field":"Authorization""#), "\(label): \(body)")
                        case .viewer, .editor, .privacy, .storefront:
                            let role = AdminRole(rawValue: credential.rawValue)!
                            if role.allows(route.role) {
                                #expect(response.status != .unauthorized && response.status != .forbidden, "\(label): \(response.status) \(body)")
                                #expect(response.status.code < 500, "\(label): \(response.status) \(body)")
                            } else {
                                #expect(response.status == .forbidden, "\(label): \(response.status) \(body)")
                                #expect(body.contains(#""code":"forbidden""#) && body.contains("requires \(route.role.rawValue)"), "\(label): \(body)")
                            }
                        }
                    }
                    checked += 1
                }
            }
            #expect(checked == Self.routes.count * Credential.allCases.count)
        }
    }
}

/// A route path with every parameter written `{}` and concrete test ids replaced the same way,
/// so router templates and example paths compare: `/v1/users/u-1/data` and
/// `/v1/users/{userId}/data` both become `/v1/users/{}/data`.
func normalizedRoutePath(_ path: String) -> String {
    let parameterSegments: [String: Int] = ["sessions": 1, "users": 1, "versions": 1, "rollback": 1, "replay": 1]
    var segments = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
    for index in segments.indices {
        if segments[index].hasPrefix(":") || segments[index].hasPrefix("{") {
            segments[index] = "{}"
        } else if index > 0, parameterSegments[segments[index - 1]] != nil, segments[index] != "{}" {
            segments[index] = "{}"
        }
    }
    return segments.joined(separator: "/")
}

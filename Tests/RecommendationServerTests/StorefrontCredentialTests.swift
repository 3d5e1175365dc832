import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import RecommendationServer
@testable import SessionRankAdapters
@testable import SessionRankCore

/// Storefront credentials on the real app: who may name a user, a visitor token's binding,
/// debug output, personal previews and CORS.
@Suite(
    "Storefront keys and visitor tokens",
    .enabled(if: IntegrationEnvironment.enabled(needs: "SESSIONRANK_POSTGRES_URL", "SESSIONRANK_REDIS_URL", "SESSIONRANK_KAFKA_BOOTSTRAP")),
    .serialized
)
struct StorefrontCredentialTests {
    static let anonymous: HTTPFields = [:]

    static func visitor(_ session: String, user: String?, key: VisitorTokenKey = TestServer.visitorKeys[0], lifetime: Int = 600) -> HTTPFields {
        [StorefrontAuthenticator.visitorTokenHeader: VisitorToken.mint(sessionId: session, userId: user, lifetimeSeconds: lifetime, key: key)]
    }

    static func expectError(_ answer: (status: HTTPResponse.Status, body: String), _ status: HTTPResponse.Status, field: String, _ label: String) {
        #expect(answer.status == status, "\(label): \(answer.status) \(answer.body)")
        #expect(answer.body.contains(#""field":"\#(field)""#), "\(label): \(answer.body)")
        #expect(answer.body.contains(status == .unauthorized ? #""code":"unauthorized""# : #""code":"forbidden""#), "\(label): \(answer.body)")
    }

    @Test("a forged userId or requestId without the key or a token gets 401 naming the field, on every storefront route")
    func forgedIdentity() async throws {
        try await TestServer.withApp { client, _ in
            let session = TestServer.uniqueId("s")
            Self.expectError(
                try await client.getJSON("/v1/recommend?sessionId=\(session)&userId=demo-adult&itemId=p-00057", headers: Self.anonymous),
                .unauthorized, field: "userId", "GET recommend")
            Self.expectError(
                try await client.postJSON("/v1/recommend", #"{"sessionId":"\#(session)","userId":"demo-adult"}"#, headers: Self.anonymous),
                .unauthorized, field: "userId", "POST recommend")
            Self.expectError(
                try await client.getJSON("/v1/recommend?sessionId=\(session)&requestId=r-00001", headers: Self.anonymous),
                .unauthorized, field: "requestId", "GET recommend with requestId")
            let event = #"[{"eventId":"\#(TestServer.uniqueId("e"))","type":"page_view","sessionId":"\#(session)"},{"eventId":"\#(TestServer.uniqueId("e"))","type":"page_view","sessionId":"\#(session)","userId":"demo-adult"}]"#
            let posted = try await client.postJSON("/v1/events", event, headers: Self.anonymous)
            Self.expectError(posted, .unauthorized, field: "userId", "events")
            #expect(posted.body.contains("event 1:"), "names the event: \(posted.body)")
            try await client.execute(uri: "/v1/recommend?sessionId=\(session)&userId=demo-adult", method: .get) { response in
                #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            }
            // A key that is not configured is refused outright, even for an anonymous-looking call.
            Self.expectError(
                try await client.getJSON("/v1/recommend?sessionId=\(session)", headers: [.authorization: "Bearer not-a-configured-key-0123456789"]),
                .unauthorized, field: "Authorization", "unknown key")
            let misplaced = try await client.getJSON(
                "/v1/recommend?sessionId=\(session)",
                headers: [.authorization: "Bearer " + VisitorToken.mint(sessionId: session, userId: nil, lifetimeSeconds: 60, key: TestServer.visitorKeys[0])])
            Self.expectError(misplaced, .unauthorized, field: "Authorization", "visitor token in Authorization")
            #expect(misplaced.body.contains("X-Visitor-Token"), "says where the token goes: \(misplaced.body)")
            // Anonymous calls that name only a session still work (storefront.allowAnonymous defaults to true).
            #expect(try await client.getJSON("/v1/recommend?sessionId=\(session)&itemId=p-00002", headers: Self.anonymous).status == .ok)
            // The server key may name both.
            #expect(try await client.getJSON("/v1/recommend?sessionId=\(session)&userId=demo-adult&requestId=r-00001").status == .ok)
        }
    }

    @Test("a visitor token's user decides compliance: the adult's token shows wine, a minor's never, whatever the request names")
    func tokenUserIsUsed() async throws {
        try await TestServer.withApp(RecommendTests.withModel) { client, components in
            let catalog = components.dependencies.catalog.snapshot
            let wine = Set(catalog.products.values.filter { $0.category == "wine_spirits" && $0.forSale && $0.inStock }.map(\.id))
            try #require(wine.count >= 5)
            let views = wine.sorted().prefix(4)
            func wineShown(session: String, headers: HTTPFields, userParameter: String = "") async throws -> (status: HTTPResponse.Status, body: String, wine: Int) {
                for item in views {
                    let event = #"{"eventId":"\#(TestServer.uniqueId("e"))","type":"product_view","sessionId":"\#(session)","itemId":"\#(item)"}"#
                    #expect(try await client.postJSON("/v1/events", event, headers: headers).status == .accepted)
                }
                let answer = try await client.getJSON("/v1/recommend?sessionId=\(session)\(userParameter)&region=NL&limit=20", headers: headers)
                guard answer.status == .ok else { return (answer.status, answer.body, 0) }
                let decoded = try JSONDecoder().decode(RecommendationResponse.self, from: Data(answer.body.utf8))
                return (answer.status, answer.body, decoded.items.filter { wine.contains($0.itemId) }.count)
            }
            let adultSession = TestServer.uniqueId("s")
            let adult = try await wineShown(session: adultSession, headers: Self.visitor(adultSession, user: "demo-adult"))
            #expect(adult.status == .ok && adult.wine > 0, "the adult's token should show wine: \(adult.body)")

            let minorSession = TestServer.uniqueId("s")
            let minor = try await wineShown(session: minorSession, headers: Self.visitor(minorSession, user: "demo-minor"))
            #expect(minor.status == .ok && minor.wine == 0, "a minor's token must never show wine: \(minor.body)")
            // The minor's token naming the adult is refused, not obeyed.
            let forged = try await client.getJSON(
                "/v1/recommend?sessionId=\(minorSession)&userId=demo-adult&region=NL", headers: Self.visitor(minorSession, user: "demo-minor"))
            Self.expectError(forged, .forbidden, field: "userId", "minor's token naming the adult")
            // A token without a user cannot name one either.
            let anonymousSession = TestServer.uniqueId("s")
            Self.expectError(
                try await client.getJSON("/v1/recommend?sessionId=\(anonymousSession)&userId=demo-adult", headers: Self.visitor(anonymousSession, user: nil)),
                .forbidden, field: "userId", "token without a user")
            // Nor can a token be used for another session.
            Self.expectError(
                try await client.getJSON("/v1/recommend?sessionId=\(adultSession)-other", headers: Self.visitor(adultSession, user: "demo-adult")),
                .forbidden, field: "sessionId", "another session")
            let otherEvent = #"{"eventId":"\#(TestServer.uniqueId("e"))","type":"page_view","sessionId":"\#(adultSession)-other"}"#
            Self.expectError(
                try await client.postJSON("/v1/events", otherEvent, headers: Self.visitor(adultSession, user: "demo-adult")),
                .forbidden, field: "sessionId", "event of another session")
            let feedback = #"{"recommendationId":"rec-x","sessionId":"\#(adultSession)-other","type":"impression"}"#
            Self.expectError(
                try await client.postJSON("/v1/feedback", feedback, headers: Self.visitor(adultSession, user: "demo-adult")),
                .forbidden, field: "sessionId", "feedback of another session")
            // A token call may not name a backend request (its row names a user).
            Self.expectError(
                try await client.getJSON("/v1/recommend?sessionId=\(adultSession)&requestId=r-00001", headers: Self.visitor(adultSession, user: "demo-adult")),
                .forbidden, field: "requestId", "token naming a request")
            // The events took their user from the token: the session is linked to the adult.
            let state = try await components.dependencies.sessions.session(adultSession)
            #expect(state.userId == "demo-adult")
        }
    }

    @Test("bad tokens get 401 naming X-Visitor-Token: expired, wrong signature, unknown kid, alg none, tampered; the second key verifies")
    func badTokens() async throws {
        try await TestServer.withApp { client, _ in
            let session = TestServer.uniqueId("s")
            let key = TestServer.visitorKeys[0]
            let valid = VisitorToken.mint(sessionId: session, userId: "demo-adult", lifetimeSeconds: 600, key: key)
            let parts = valid.split(separator: ".").map(String.init)
            let now = Int(Date().timeIntervalSince1970)
            struct Header: Encodable { var alg: String; var kid: String }
            struct Claims: Encodable { var sid: String; var sub: String; var exp: Int }
            let claims = Claims(sid: session, sub: "demo-adult", exp: now + 600)
            let cases: [(String, String)] = [
                ("expired", VisitorToken.mint(sessionId: session, userId: "demo-adult", lifetimeSeconds: 60, key: key, now: Date(timeIntervalSinceNow: -3_600))),
                ("wrong signature", VisitorToken.mint(
                    sessionId: session, userId: "demo-adult", lifetimeSeconds: 600,
                    key: VisitorTokenKey(kid: key.kid, secret: Array("not-the-configured-secret-0123456789abcdef".utf8)))),
                ("unknown kid", VisitorToken.sign(header: Header(alg: "HS256", kid: "retired"), payload: claims, key: VisitorTokenKey(kid: "retired", secret: key.secret))),
                ("alg none", Base64URL.encode(Data(#"{"alg":"none","kid":"\#(key.kid)"}"#.utf8)) + "." + parts[1] + "."),
                ("tampered payload", parts[0] + "." + Base64URL.encode(Data(#"{"sid":"\#(session)","sub":"demo-minor","exp":\#(now + 600)}"#.utf8)) + "." + parts[2]),
                ("too long a lifetime", VisitorToken.mint(sessionId: session, userId: "demo-adult", lifetimeSeconds: 86_400, key: key)),
                ("garbage", "Bearer \(valid)"),
            ]
            for (label, token) in cases {
                let answer = try await client.getJSON("/v1/recommend?sessionId=\(session)", headers: [StorefrontAuthenticator.visitorTokenHeader: token])
                Self.expectError(answer, .unauthorized, field: "X-Visitor-Token", label)
                #expect(!answer.body.contains(token), "\(label): the token is not echoed")
            }
            let rotated = VisitorToken.mint(sessionId: session, userId: "demo-adult", lifetimeSeconds: 600, key: TestServer.visitorKeys[1])
            #expect(try await client.getJSON("/v1/recommend?sessionId=\(session)", headers: [StorefrontAuthenticator.visitorTokenHeader: rotated]).status == .ok)
        }
    }

    @Test("debug=true needs a viewer token; the storefront key and privacy tokens do not unlock it")
    func debugNeedsViewer() async throws {
        try await TestServer.withApp { client, _ in
            let session = TestServer.uniqueId("s")
            let uri = "/v1/recommend?sessionId=\(session)&limit=3&debug=true"
            Self.expectError(try await client.getJSON(uri, headers: Self.anonymous), .unauthorized, field: "debug", "anonymous")
            Self.expectError(try await client.getJSON(uri), .forbidden, field: "debug", "storefront key")
            Self.expectError(try await client.getJSON(uri, headers: [.authorization: "Bearer \(TestServer.privacyToken)"]), .forbidden, field: "debug", "privacy")
            Self.expectError(
                try await client.postJSON("/v1/recommend", #"{"sessionId":"\#(session)","debug":true}"#, headers: Self.anonymous),
                .unauthorized, field: "debug", "POST anonymous")
            let viewer = try await client.getJSON(uri, headers: [.authorization: "Bearer \(TestServer.viewerToken)"])
            #expect(viewer.status == .ok && viewer.body.contains(#""removed""#), "\(viewer.body)")
            // A viewer token is not a storefront key: it cannot name a user without a visitor token.
            Self.expectError(
                try await client.getJSON(uri + "&userId=demo-minor", headers: [.authorization: "Bearer \(TestServer.viewerToken)"]),
                .unauthorized, field: "userId", "viewer naming a user")
            var both = Self.visitor(session, user: "demo-minor")
            both[.authorization] = "Bearer \(TestServer.viewerToken)"
            #expect(try await client.getJSON(uri, headers: both).status == .ok)
        }
    }

    @Test("storefront.allowAnonymous false: calls without a key or token get 401; a token still works")
    func anonymousOff() async throws {
        try await TestServer.withApp({ $0.storefront.allowAnonymous = false }) { client, _ in
            let session = TestServer.uniqueId("s")
            Self.expectError(try await client.getJSON("/v1/recommend?sessionId=\(session)", headers: Self.anonymous), .unauthorized, field: "Authorization", "GET")
            let event = #"{"eventId":"\#(TestServer.uniqueId("e"))","type":"page_view","sessionId":"\#(session)"}"#
            Self.expectError(try await client.postJSON("/v1/events", event, headers: Self.anonymous), .unauthorized, field: "Authorization", "events")
            #expect(try await client.postJSON("/v1/events", event, headers: Self.visitor(session, user: nil)).status == .accepted)
            #expect(try await client.getJSON("/v1/recommend?sessionId=\(session)", headers: Self.visitor(session, user: nil)).status == .ok)
            #expect(try await client.getJSON("/v1/recommend?sessionId=\(session)").status == .ok, "the storefront key")
        }
    }

    @Test("preview of a real session or user needs the privacy role; a preview of items needs viewer")
    func personalPreview() async throws {
        try await TestServer.withApp({ configuration in
            configuration.recommend.rankingPath = AdminConfigTests.shippedFile
            configuration.admin.reloadSeconds = 3_600
        }) { client, components in
            await components.rankingConfig.sync()
            func preview(_ body: String, token: String) async throws -> (status: HTTPResponse.Status, body: String) {
                try await client.postJSON("/admin/v1/preview", body, headers: [.authorization: "Bearer \(token)"])
            }
            let session = #"{"sessionId":"demo-s1","draft":""}"#
            let user = #"{"items":["p-00001"],"userId":"demo-adult","draft":""}"#
            let items = #"{"items":["p-00001"],"draft":""}"#
            Self.expectError(try await preview(session, token: TestServer.viewerToken), .forbidden, field: "sessionId", "viewer, session")
            Self.expectError(try await preview(user, token: TestServer.viewerToken), .forbidden, field: "userId", "viewer, user")
            Self.expectError(try await preview(items, token: TestServer.storefrontKey), .forbidden, field: "Authorization", "storefront key")
            #expect(try await preview(items, token: TestServer.viewerToken).status == .ok)
            #expect(try await preview(session, token: TestServer.privacyToken).status == .ok)
            #expect(try await preview(user, token: TestServer.privacyToken).status == .ok)
        }
    }

    @Test("CORS: storefront routes only, and the preflight allows the visitor token header")
    func corsOnStorefrontRoutesOnly() async throws {
        try await TestServer.withApp({ $0.http.corsAllowedOrigins = "https://shop.example" }) { client, _ in
            let origin: HTTPFields = [.origin: "https://shop.example"]
            for path in ["/v1/recommend", "/v1/events", "/v1/feedback"] {
                try await client.execute(
                    uri: path, method: .options, headers: [.origin: "https://shop.example", .accessControlRequestMethod: "POST"]
                ) { response in
                    #expect(response.status == .noContent, "\(path)")
                    #expect(response.headers[.accessControlAllowOrigin] == "https://shop.example", "\(path)")
                    #expect(response.headers[.accessControlAllowHeaders]?.contains("X-Visitor-Token") == true, "\(path)")
                    #expect(response.headers[.accessControlAllowHeaders]?.contains("Authorization") == true, "\(path)")
                }
            }
            try await client.execute(uri: "/v1/recommend?sessionId=\(TestServer.uniqueId("s"))", method: .get, headers: origin) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.accessControlAllowOrigin] == "https://shop.example")
            }
            for path in ["/admin/v1/config", "/v1/sessions/s-1", "/v1/users/u-1/data", "/health/live", "/metrics"] {
                try await client.execute(uri: path, method: .get, headers: origin) { response in
                    #expect(response.headers[.accessControlAllowOrigin] == nil, "\(path)")
                }
                try await client.execute(
                    uri: path, method: .options, headers: [.origin: "https://shop.example", .accessControlRequestMethod: "GET"]
                ) { response in
                    #expect(response.headers[.accessControlAllowOrigin] == nil, "preflight \(path)")
                }
            }
        }
    }
}

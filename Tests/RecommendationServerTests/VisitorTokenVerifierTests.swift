import Foundation
import Testing

@testable import RecommendationServer
@testable import SessionRankAdapters
@testable import SessionRankCore

/// The visitor token verifier on its own: what it accepts, and each way a token can be wrong.
@Suite("Visitor tokens: HS256 JWTs verified by hand")
struct VisitorTokenVerifierTests {
    static let keys = TestServer.visitorKeys
    static let now = 1_800_000_000.0
    let verifier = VisitorTokenVerifier(keys: keys, maxLifetimeSeconds: 3_600, clockSkewSeconds: 30)

    struct Header: Encodable {
        var alg: String? = "HS256"
        var kid: String? = VisitorTokenVerifierTests.keys[0].kid
        var typ: String? = "JWT"
        var crit: [String]? = nil
    }

    struct Claims: Encodable {
        var sid: String? = "s-1"
        var sub: String? = "demo-adult"
        var iat: Double? = VisitorTokenVerifierTests.now - 10
        var nbf: Double? = nil
        var exp: Double? = VisitorTokenVerifierTests.now + 600
    }

    func token(_ header: Header = Header(), _ claims: Claims = Claims(), key: VisitorTokenKey = keys[0]) -> String {
        VisitorToken.sign(header: header, payload: claims, key: key)
    }

    func refusal(_ token: String) -> String? {
        do {
            _ = try verifier.verify(token, now: Self.now)
            return nil
        } catch { return error.reason }
    }

    @Test("a minted token verifies and yields its session and user")
    func minted() throws {
        let token = VisitorToken.mint(
            sessionId: "s-9", userId: "u-7", lifetimeSeconds: 900, key: Self.keys[0], now: Date(timeIntervalSince1970: Self.now))
        let claims = try verifier.verify(token, now: Self.now + 1)
        #expect(claims == VisitorClaims(sessionId: "s-9", userId: "u-7", expiresAt: Self.now + 900))
        let anonymous = VisitorToken.mint(sessionId: "s-9", userId: nil, lifetimeSeconds: 60, key: Self.keys[0], now: Date(timeIntervalSince1970: Self.now))
        #expect(try verifier.verify(anonymous, now: Self.now).userId == nil)
    }

    @Test("rotation: a token signed with the second configured key verifies; a key that was removed does not")
    func rotation() throws {
        #expect(try verifier.verify(token(Header(kid: Self.keys[1].kid), key: Self.keys[1]), now: Self.now).sessionId == "s-1")
        let afterRotation = VisitorTokenVerifier(keys: [Self.keys[1]], maxLifetimeSeconds: 3_600, clockSkewSeconds: 30)
        #expect(throws: VisitorTokenError.self) { try afterRotation.verify(token(), now: Self.now) }
    }

    @Test("expiry, lifetime and clock skew")
    func times() {
        #expect(refusal(token(Header(), Claims(exp: Self.now - 31)))?.contains("expired") == true)
        #expect(refusal(token(Header(), Claims(exp: Self.now - 5))) == nil, "within the clock skew")
        #expect(refusal(token(Header(), Claims(exp: nil)))?.contains("no exp") == true)
        #expect(refusal(token(Header(), Claims(iat: nil, exp: Self.now + 7_200)))?.contains("longer") == true)
        #expect(refusal(token(Header(), Claims(iat: Self.now - 3_000, exp: Self.now + 1_000)))?.contains("longer") == true)
        #expect(refusal(token(Header(), Claims(iat: Self.now + 120)))?.contains("iat") == true)
        #expect(refusal(token(Header(), Claims(nbf: Self.now + 120)))?.contains("nbf") == true)
        #expect(refusal(token(Header(), Claims(nbf: Self.now + 10))) == nil, "within the clock skew")
    }

    @Test("the header: alg exactly HS256, a configured kid, no crit")
    func header() {
        #expect(refusal(token(Header(alg: "none")))?.contains("HS256") == true)
        #expect(refusal(token(Header(alg: "hs256")))?.contains("HS256") == true)
        #expect(refusal(token(Header(alg: "HS512")))?.contains("HS256") == true)
        #expect(refusal(token(Header(alg: nil)))?.contains("HS256") == true)
        #expect(refusal(token(Header(kid: "unknown")))?.contains("kid") == true)
        #expect(refusal(token(Header(kid: nil)))?.contains("kid") == true)
        #expect(refusal(token(Header(typ: "at+jwt")))?.contains("typ") == true)
        #expect(refusal(token(Header(crit: ["exp"])))?.contains("crit") == true)
        // alg=none with an empty signature, the classic downgrade.
        let unsigned = Base64URL.encode(Data(#"{"alg":"none","kid":"test-2025"}"#.utf8)) + "."
            + Base64URL.encode(Data(#"{"sid":"s-1","exp":1800000600}"#.utf8)) + "."
        #expect(refusal(unsigned) != nil)
    }

    @Test("signatures: another key, a tampered payload, a truncated or re-encoded signature")
    func signatures() {
        let foreign = VisitorTokenKey(kid: Self.keys[0].kid, secret: Array("an-attackers-guess-at-the-secret-0123456789".utf8))
        #expect(refusal(token(key: foreign))?.contains("signature") == true)
        let parts = token().split(separator: ".").map(String.init)
        let forged = Base64URL.encode(Data(#"{"sid":"s-1","sub":"demo-minor","exp":1800000600}"#.utf8))
        #expect(refusal([parts[0], forged, parts[2]].joined(separator: "."))?.contains("signature") == true)
        #expect(refusal([parts[0], parts[1], String(parts[2].dropLast(2))].joined(separator: ".")) != nil)
        #expect(refusal([parts[0], parts[1], parts[2] + "="].joined(separator: ".")) != nil, "padding is refused")
        #expect(refusal([parts[0], parts[1], ""].joined(separator: ".")) != nil)
    }

    @Test("malformed tokens and claims are refused without a crash")
    func malformed() {
        for text in ["", ".", "..", "a.b", "a.b.c.d", "not a token", "eyJ.eyJ.sig", String(repeating: "a", count: 5_000)] {
            #expect(refusal(text) != nil, "\(text.prefix(20))")
        }
        #expect(refusal(token(Header(), Claims(sid: nil)))?.contains("sid") == true)
        #expect(refusal(token(Header(), Claims(sid: "has space")))?.contains("sid") == true)
        #expect(refusal(token(Header(), Claims(sub: "a|b")))?.contains("sub") == true)
        #expect(refusal(token(Header(), Claims(sid: String(repeating: "s", count: 129))))?.contains("sid") == true)
    }

    @Test("base64url decoding is strict")
    func base64url() {
        #expect(Base64URL.decode("AQID") == [1, 2, 3])
        #expect(Base64URL.decode("AQI") == [1, 2])
        #expect(Base64URL.decode("AQI=") == nil)
        #expect(Base64URL.decode("AQ+/") == nil)
        #expect(Base64URL.decode("AQJ") == nil, "non-zero unused bits: a second spelling")
        #expect(Base64URL.decode("A") == nil)
        #expect(Base64URL.encode([0xFB, 0xFF]) == "-_8")
    }

    @Test("keys come from storefront.visitorTokenKeys and the environment, and add up; bad ones name the field")
    func configuration() throws {
        let yaml = """
            storefront:
              visitorTokenKeys:
                - {kid: k1, secret: first-secret-of-at-least-32-characters}
            """
        let secret = "second-secret-of-at-least-32-chars:with-colon"
        let configuration = try ServiceConfiguration.parse(
            yaml: yaml, environment: ["SESSIONRANK_STOREFRONT_VISITOR_TOKEN_KEYS": "k2:\(secret)", "SESSIONRANK_STOREFRONT_ALLOW_ANONYMOUS": "false"])
        #expect(configuration.storefront.visitorTokenKeys.map(\.kid) == ["k1", "k2"])
        #expect(configuration.storefront.visitorTokenKeys[1].secret == Array(secret.utf8))
        #expect(configuration.storefront.allowAnonymous == false)
        #expect(!"\(configuration.storefront)".contains("first-secret"), "secrets stay out of descriptions")
        #expect(throws: ConfigurationError(field: "storefront.visitorTokenKeys[0].secret", "must be at least 32 printable characters without spaces")) {
            try ServiceConfiguration.parse(yaml: "storefront: {visitorTokenKeys: [{kid: k1, secret: short}]}")
        }
        #expect(throws: ConfigurationError(field: "SESSIONRANK_STOREFRONT_VISITOR_TOKEN_KEYS[0]", "must be kid:secret")) {
            try ServiceConfiguration.parse(yaml: "", environment: ["SESSIONRANK_STOREFRONT_VISITOR_TOKEN_KEYS": "no-colon"])
        }
        #expect(throws: ConfigurationError.self) {
            try ServiceConfiguration.parse(yaml: yaml, environment: ["SESSIONRANK_STOREFRONT_VISITOR_TOKEN_KEYS": "k1:\(secret)"])
        }
        #expect(throws: ConfigurationError(field: "storefront.visitorTokenMaxLifetimeSeconds", "must be from 60 to 86400; got 10")) {
            try ServiceConfiguration.parse(yaml: "storefront: {visitorTokenMaxLifetimeSeconds: 10}")
        }
        #expect(throws: ConfigurationError(field: "storefront.clockSkewSeconds", "must be from 0 to 300; got 900")) {
            try ServiceConfiguration.parse(yaml: "", environment: ["SESSIONRANK_STOREFRONT_CLOCK_SKEW_SECONDS": "900"])
        }
        #expect(throws: ConfigurationError.self) { try ServiceConfiguration.parse(yaml: "storefront: {allowAnonymus: true}") }
        let admin = try ServiceConfiguration.parse(yaml: "", environment: ["SESSIONRANK_ADMIN_TOKENS": "shop:storefront:shop-key-0123456789abcdef"])
        #expect(admin.admin.tokens.first?.role == .storefront)
    }
}

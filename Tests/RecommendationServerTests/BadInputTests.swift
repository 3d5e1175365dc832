import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import RecommendationServer
@testable import SessionRankAdapters
@testable import SessionRankCore

/// Bad input on every public endpoint, against the real app and servers: each case must get a
/// 4xx JSON error whose `field` names what is wrong, never a 5xx, a hang or a crash. Unknown
/// fields are refused with their name everywhere (events, recommend, feedback, consent).
/// Event-level validation details are in EventValidationTests; this covers the HTTP edges.
@Suite(
    "Bad input: 4xx JSON errors naming the field",
    .enabled(if: IntegrationEnvironment.enabled(needs: "SESSIONRANK_POSTGRES_URL", "SESSIONRANK_REDIS_URL", "SESSIONRANK_KAFKA_BOOTSTRAP"))
)
struct BadInputTests {
    /// One bad request and what must come back.
    struct Case: Sendable {
        var name: String
        var method: HTTPRequest.Method
        var uri: String
        var body: [UInt8]?
        var status: Int
        var field: String
        var code: String?

        init(_ name: String, _ method: HTTPRequest.Method, _ uri: String, _ body: String? = nil, status: Int = 400, field: String, code: String? = nil) {
            self.init(name, method, uri, bytes: body.map { Array($0.utf8) }, status: status, field: field, code: code)
        }

        init(_ name: String, _ method: HTTPRequest.Method, _ uri: String, bytes: [UInt8]?, status: Int = 400, field: String, code: String? = nil) {
            self.name = name
            self.method = method
            self.uri = uri
            self.body = bytes
            self.status = status
            self.field = field
            self.code = code
        }
    }

    static let session = "s-bad-input"
    static func event(_ extra: String = "") -> String { #"{"eventId":"e-bad","type":"page_view","sessionId":"s-bad"\#(extra)}"# }
    static func feedback(_ extra: String = "") -> String { #"{"recommendationId":"rec-bad","sessionId":"s-bad","type":"impression"\#(extra)}"# }
    static func recommend(_ extra: String = "") -> String { #"{"sessionId":"s-bad"\#(extra)}"# }

    /// Valid JSON nested far deeper than any parser should follow.
    static func nested(_ depth: Int) -> String { String(repeating: "[", count: depth) + String(repeating: "]", count: depth) }
    /// Bytes that are not UTF-8 inside a JSON string.
    static func invalidUTF8(_ json: String, marker: String = "BAD") -> [UInt8] {
        let parts = json.components(separatedBy: marker)
        return Array(parts[0].utf8) + [0xC3, 0x28, 0xFF] + Array(parts.dropFirst().joined(separator: marker).utf8)
    }
    static let overMegabyte = String(repeating: " ", count: 1_048_577)
    static let longId = String(repeating: "x", count: 129)

    static let eventCases: [Case] = [
        Case("events: body over 1 MiB", .post, "/v1/events", event() + overMegabyte, status: 413, field: "<body>", code: "body_too_large"),
        Case("events: 100,000 nested arrays", .post, "/v1/events", nested(100_000), field: "<body>", code: "invalid_json"),
        Case("events: nested arrays inside a field", .post, "/v1/events", event(#","context":{"page":\#(nested(400))}"#), field: "context.page", code: "no_valid_events"),
        Case("events: invalid UTF-8 in a string", .post, "/v1/events", bytes: invalidUTF8(event(#","query":"BAD""#)), field: "<body>", code: "invalid_json"),
        Case("events: 10,000 small events", .post, "/v1/events", "[" + Array(repeating: "{}", count: 10_000).joined(separator: ",") + "]", status: 400, field: "events", code: "batch_too_large"),
        Case("events: control character in sessionId", .post, "/v1/events", #"{"eventId":"e","type":"page_view","sessionId":"s\u0007"}"#, field: "sessionId", code: "no_valid_events"),
        Case("events: raw control byte in JSON", .post, "/v1/events", "{\"eventId\":\"e\u{01}\",\"type\":\"page_view\",\"sessionId\":\"s\"}", field: "<body>", code: "invalid_json"),
        Case("events: DEL and NUL in eventId", .post, "/v1/events", #"{"eventId":"e\u007f\u0000","type":"page_view","sessionId":"s"}"#, field: "eventId", code: "no_valid_events"),
        Case("events: negative position", .post, "/v1/events", event(#","recommendationId":"rec-1","position":-1"#), field: "position", code: "no_valid_events"),
        Case("events: huge position", .post, "/v1/events", event(#","recommendationId":"rec-1","position":1e300"#), field: "position", code: "no_valid_events"),
        Case("events: number too big for a double", .post, "/v1/events", event(#","dwellMs":1e400"#), field: "<body>", code: "invalid_json"),
        Case("events: unknown field", .post, "/v1/events", event(#","colour":"red""#), field: "colour", code: "no_valid_events"),
        Case("events: unknown field in context", .post, "/v1/events", event(#","context":{"mood":"ok"}"#), field: "context.mood", code: "no_valid_events"),
    ]

    static let recommendGetCases: [Case] = [
        Case("GET recommend: negative limit", .get, "/v1/recommend?sessionId=\(session)&limit=-1", field: "limit"),
        Case("GET recommend: zero limit", .get, "/v1/recommend?sessionId=\(session)&limit=0", field: "limit"),
        Case("GET recommend: limit over the maximum", .get, "/v1/recommend?sessionId=\(session)&limit=101", field: "limit"),
        Case("GET recommend: limit beyond 64 bits", .get, "/v1/recommend?sessionId=\(session)&limit=99999999999999999999999", field: "limit"),
        Case("GET recommend: limit in exponent form", .get, "/v1/recommend?sessionId=\(session)&limit=1e2", field: "limit"),
        Case("GET recommend: limit NaN", .get, "/v1/recommend?sessionId=\(session)&limit=nan", field: "limit"),
        Case("GET recommend: control character in sessionId", .get, "/v1/recommend?sessionId=s%01x", field: "sessionId"),
        Case("GET recommend: percent-encoded invalid UTF-8", .get, "/v1/recommend?sessionId=s%FF%FE", field: "sessionId"),
        Case("GET recommend: over-long userId", .get, "/v1/recommend?sessionId=\(session)&userId=\(longId)", field: "userId"),
        Case("GET recommend: unknown parameter", .get, "/v1/recommend?sessionId=\(session)&colour=red", field: "colour"),
        Case("GET recommend: repeated parameter", .get, "/v1/recommend?sessionId=a&sessionId=b", field: "sessionId"),
        Case("GET recommend: no sessionId", .get, "/v1/recommend?limit=3", field: "sessionId"),
        Case("GET recommend: bad region", .get, "/v1/recommend?sessionId=\(session)&region=nl%0A", field: "context.region"),
    ]

    static let recommendPostCases: [Case] = [
        Case("POST recommend: body over 1 MiB", .post, "/v1/recommend", recommend() + overMegabyte, status: 413, field: "<body>", code: "body_too_large"),
        Case("POST recommend: 100,000 nested arrays", .post, "/v1/recommend", nested(100_000), field: "<body>", code: "invalid_json"),
        Case("POST recommend: nested arrays in exclude", .post, "/v1/recommend", recommend(#","exclude":[\#(nested(400))]"#), field: "exclude[0]"),
        Case("POST recommend: invalid UTF-8", .post, "/v1/recommend", bytes: invalidUTF8(recommend(#","device":"BAD""#)), field: "<body>", code: "invalid_json"),
        Case("POST recommend: negative limit", .post, "/v1/recommend", recommend(#","limit":-5"#), field: "limit"),
        Case("POST recommend: huge limit", .post, "/v1/recommend", recommend(#","limit":1e300"#), field: "limit"),
        Case("POST recommend: fractional limit", .post, "/v1/recommend", recommend(#","limit":2.5"#), field: "limit"),
        Case("POST recommend: limit as text", .post, "/v1/recommend", recommend(#","limit":"10""#), field: "limit"),
        Case("POST recommend: 501 exclusions", .post, "/v1/recommend", recommend(#","exclude":[\#(Array(repeating: #""p""#, count: 501).joined(separator: ","))]"#), field: "exclude"),
        Case("POST recommend: control character in an exclusion", .post, "/v1/recommend", recommend(#","exclude":["ok","p\u001b"]"#), field: "exclude[1]"),
        Case("POST recommend: control character in userId", .post, "/v1/recommend", recommend(#","userId":"u\t1""#), field: "userId"),
        Case("POST recommend: unknown field", .post, "/v1/recommend", recommend(#","colour":"red""#), field: "colour"),
        Case("POST recommend: unknown context field", .post, "/v1/recommend", recommend(#","context":{"mood":"ok"}"#), field: "context.mood"),
    ]

    static let feedbackCases: [Case] = [
        Case("feedback: body over 64 KiB", .post, "/v1/feedback", feedback() + String(repeating: " ", count: 65_537), status: 413, field: "<body>", code: "body_too_large"),
        Case("feedback: 20,000 nested arrays", .post, "/v1/feedback", nested(20_000), field: "<body>", code: "invalid_json"),
        Case("feedback: nested arrays in a field", .post, "/v1/feedback", feedback(#","itemId":\#(nested(400))"#), field: "itemId"),
        Case("feedback: invalid UTF-8", .post, "/v1/feedback", bytes: invalidUTF8(feedback(#","itemId":"BAD""#)), field: "<body>", code: "invalid_json"),
        Case("feedback: control character in sessionId", .post, "/v1/feedback", #"{"recommendationId":"r","sessionId":"s\u0000","type":"impression"}"#, field: "sessionId"),
        Case("feedback: negative position", .post, "/v1/feedback", feedback(#","position":-3"#), field: "position"),
        Case("feedback: huge position", .post, "/v1/feedback", feedback(#","position":123456789012"#), field: "position"),
        Case("feedback: unknown field", .post, "/v1/feedback", feedback(#","colour":"red""#), field: "colour"),
        Case("feedback: an array instead of an object", .post, "/v1/feedback", "[\(feedback())]", field: "<body>", code: "invalid_body"),
    ]

    static let privacyCases: [Case] = [
        Case("consent: body over 4 KiB", .put, "/v1/users/u-bad/consent", #"{"personalization":true}"# + String(repeating: " ", count: 4_097), status: 413, field: "<body>", code: "body_too_large"),
        Case("consent: 1,000 nested arrays", .put, "/v1/users/u-bad/consent", nested(1_000), field: "<body>", code: "invalid_json"),
        Case("consent: nested value", .put, "/v1/users/u-bad/consent", #"{"personalization":\#(nested(300))}"#, field: "personalization"),
        Case("consent: invalid UTF-8", .put, "/v1/users/u-bad/consent", bytes: invalidUTF8(#"{"personalization":true,"BAD":1}"#), field: "<body>", code: "invalid_json"),
        Case("consent: unknown field", .put, "/v1/users/u-bad/consent", #"{"personalization":true,"marketing":true}"#, field: "marketing", code: "invalid_field"),
        Case("consent: text instead of a boolean", .put, "/v1/users/u-bad/consent", #"{"analytics":"yes"}"#, field: "analytics", code: "invalid_field"),
        Case("consent: neither field", .put, "/v1/users/u-bad/consent", #"{}"#, field: "personalization", code: "invalid_field"),
        Case("consent: control character in the user id", .put, "/v1/users/u%07bad/consent", #"{"personalization":true}"#, field: "userId", code: "invalid_path"),
        Case("export: percent-encoded invalid UTF-8 in the user id", .get, "/v1/users/u%FF%FE/data", field: "userId", code: "invalid_path"),
        Case("export: over-long user id", .get, "/v1/users/\(longId)/data", field: "userId", code: "invalid_path"),
        Case("erase user: NUL in the user id", .delete, "/v1/users/u%00/data", field: "userId", code: "invalid_path"),
        Case("session view: escape character in the id", .get, "/v1/sessions/s%1B%5B31m", field: "sessionId", code: "invalid_path"),
        Case("erase session: space in the id", .delete, "/v1/sessions/s%20x", field: "sessionId", code: "invalid_path"),
        Case("erase session: over-long id", .delete, "/v1/sessions/\(longId)", field: "sessionId", code: "invalid_path"),
    ]

    // One app per endpoint group: starting an app per case would cost more than the cases.
    @Test("POST /v1/events") func events() async throws { try await Self.check(Self.eventCases) }
    @Test("GET /v1/recommend") func recommendGet() async throws { try await Self.check(Self.recommendGetCases) }
    @Test("POST /v1/recommend") func recommendPost() async throws { try await Self.check(Self.recommendPostCases) }
    @Test("POST /v1/feedback") func feedbackBodies() async throws { try await Self.check(Self.feedbackCases) }
    @Test("privacy endpoints, with a valid privacy token") func privacy() async throws { try await Self.check(Self.privacyCases) }

    @Test("an unknown path is a JSON 404; a known path with another method a JSON 405 with Allow")
    func unmatchedRoutes() async throws {
        try await TestServer.withApp { client, _ in
            for (method, uri, status, allow) in [
                (HTTPRequest.Method.get, "/v1/nothing-here", 404, nil),
                (.get, "/v1/events", 405, "POST"),
                (.patch, "/v1/recommend", 405, "GET, POST"),
                (.post, "/v1/sessions/s-1", 405, "DELETE, GET"),
                (.get, "/v1/users/u-1/consent", 405, "PUT"),
                (.delete, "/admin/v1/config", 405, "GET, PUT"),
            ] as [(HTTPRequest.Method, String, Int, String?)] {
                try await client.execute(uri: uri, method: method) { response in
                    let body = String(buffer: response.body)
                    #expect(response.status.code == status, "\(method) \(uri): \(response.status) \(body)")
                    #expect(response.headers[.allow] == allow, "\(method) \(uri)")
                    #expect(body.contains(status == 404 ? #""code":"not_found""# : #""code":"method_not_allowed""#), "\(body)")
                    #expect(response.headers[.requestID]?.isEmpty == false)
                }
            }
        }
    }

    @Test("SQL in an id is only data: it is stored, exported and erased as the literal id")
    func sqlInIds() async throws {
        try await TestServer.withApp { client, components in
            // Printable ASCII without spaces is a valid id, quotes and semicolons included.
            let userId = "u'or'1'='1';DELETE--\\" + TestServer.uniqueId("")
            let path = "/v1/users/\(userId.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)"
            let consent = try await client.privacyCall(.put, path + "/consent", body: #"{"analytics":true}"#)
            #expect(consent.status == .ok, "\(consent.body)")
            let stored = try #require(try await components.dependencies.users.profile(userId: userId))
            #expect(stored.userId == userId && stored.consentAnalytics == true)
            #expect(try await components.dependencies.users.profile(userId: "demo-adult") != nil, "other rows untouched")
            let erased = try await client.privacyCall(.delete, path + "/data")
            #expect(erased.status == .ok && erased.body.contains(#""erasedProfile":true"#), "\(erased.body)")
            #expect(try await components.dependencies.users.profile(userId: "demo-adult") != nil)
        }
    }

    /// Sends each case to a fresh app and checks status, JSON shape, code and field.
    static func check(_ cases: [Case]) async throws {
        try await TestServer.withApp { client, _ in
            for badCase in cases {
                var headers: HTTPFields = [.contentType: "application/json", .authorization: "Bearer \(TestServer.privacyToken)"]
                if badCase.body == nil { headers[.contentType] = nil }
                try await client.execute(
                    uri: badCase.uri, method: badCase.method, headers: headers, body: badCase.body.map { ByteBuffer(bytes: $0) }
                ) { response in
                    let text = String(buffer: response.body)
                    #expect(response.status.code == badCase.status, "\(badCase.name): \(response.status) \(text.prefix(300))")
                    #expect(response.headers[.contentType]?.hasPrefix("application/json") == true, "\(badCase.name)")
                    let object = try? JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                    let error = object?["error"] as? [String: Any]
                    #expect(error?["field"] as? String == badCase.field, "\(badCase.name): \(text.prefix(300))")
                    #expect((error?["message"] as? String)?.isEmpty == false, "\(badCase.name)")
                    if let code = badCase.code { #expect(error?["code"] as? String == code, "\(badCase.name): \(text.prefix(300))") }
                }
            }
        }
    }
}

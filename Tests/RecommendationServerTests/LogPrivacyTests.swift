import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing

@testable import RecommendationServer
@testable import SessionRankAdapters
@testable import SessionRankCore

/// Every line the service logs, captured in memory.
final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    func append(_ data: Data) { lines.withLock { $0.append(String(decoding: data, as: UTF8.self)) } }

    var all: [String] { lines.withLock { $0 } }
}

/// A server at log level trace (everything any component logs) handles requests that carry a
/// known user id, session id, birth date and tokens: none of them may appear in a log line,
/// while the pseudonyms of the ids do (so the lines stay useful).
@Suite(
    "Logs hold no user id, session id, birth date or token",
    .enabled(if: IntegrationEnvironment.enabled(needs: "SESSIONRANK_POSTGRES_URL", "SESSIONRANK_REDIS_URL", "SESSIONRANK_KAFKA_BOOTSTRAP"))
)
struct LogPrivacyTests {
    @Test("trace-level logs of events, recommend, feedback, privacy and admin calls")
    func nothingPersonalInLogs() async throws {
        let userId = TestServer.uniqueId("log-user")
        let sessionId = TestServer.uniqueId("log-session")
        let birthDate = "1931-07-23"
        let adminToken = "log-admin-" + UUID().uuidString
        let privacyToken = "log-privacy-" + UUID().uuidString
        let wrongToken = "log-wrong-" + UUID().uuidString
        let visitorToken = VisitorToken.mint(sessionId: sessionId, userId: userId, lifetimeSeconds: 600, key: TestServer.visitorKeys[0])

        let secret = try TestServer.configuration().privacy.pseudonymSecret
        let pseudonymizer = Pseudonymizer(secret: secret)
        let capture = LogCapture()
        var logger = Logger(label: "sessionrank") { label in
            JSONLogHandler(label: label, level: .trace, redaction: LogRedaction(pseudonymizer: pseudonymizer), write: capture.append)
        }
        logger.logLevel = .trace

        try await Self.insertUser(userId, birthDate: birthDate)
        try await TestServer.withApp(logger: logger, { configuration in
            configuration.admin.tokens = [
                AdminToken(name: "log-editor", role: .editor, token: adminToken),
                AdminToken(name: "log-dpo", role: .privacy, token: privacyToken),
            ]
        }) { client, _ in
            let event = #"{"eventId":"\#(TestServer.uniqueId("e"))","type":"product_view","sessionId":"\#(sessionId)","userId":"\#(userId)","itemId":"p-00001"}"#
            #expect(try await client.postJSON("/v1/events", event).status == .accepted)
            // Debug output needs an admin token; the user then comes from a visitor token.
            let debugHeaders: HTTPFields = [StorefrontAuthenticator.visitorTokenHeader: visitorToken, .authorization: "Bearer \(adminToken)"]
            let recommended = try await client.getJSON("/v1/recommend?sessionId=\(sessionId)&itemId=p-00002&debug=true", headers: debugHeaders)
            #expect(recommended.status == .ok)
            #expect(try await client.postJSON("/v1/recommend", #"{"sessionId":"\#(sessionId)","userId":"\#(userId)"}"#).status == .ok)
            let recommendationId = try #require(recommended.body.firstMatch(of: /"recommendationId":"([^"]+)"/)?.1)
            let feedback = #"{"recommendationId":"\#(recommendationId)","sessionId":"\#(sessionId)","type":"impression"}"#
            #expect(try await client.postJSON("/v1/feedback", feedback).status == .accepted)
            // Rejected input that carries the ids.
            #expect(try await client.getJSON("/v1/recommend?sessionId=\(sessionId)&userId=\(userId)&limit=-1").status == .badRequest)

            #expect(try await client.privacyCall(.get, "/v1/sessions/\(sessionId)", token: privacyToken).status == .ok)
            let export = try await client.privacyCall(.get, "/v1/users/\(userId)/data", token: privacyToken)
            #expect(export.status == .ok)
            #expect(export.body.contains(birthDate), "the birth date went through the service")
            #expect(try await client.privacyCall(.put, "/v1/users/\(userId)/consent", body: #"{"analytics":false}"#, token: privacyToken).status == .ok)
            #expect(try await client.privacyCall(.get, "/v1/users/\(userId)/data", token: wrongToken).status == .unauthorized)
            #expect(try await client.privacyCall(.get, "/v1/users/\(userId)/data", token: adminToken).status == .forbidden)
            #expect(try await client.privacyCall(.delete, "/v1/users/\(userId)/data", token: privacyToken).status == .ok)

            let admin = try await client.execute(uri: "/admin/v1/config", method: .get, headers: [.authorization: "Bearer \(adminToken)"]) { $0.status }
            #expect(admin == .ok || admin == .notFound)
        }

        let lines = capture.all
        #expect(lines.count > 50, "trace level logs plenty; got \(lines.count) lines")
        for secret in [userId, sessionId, birthDate, adminToken, privacyToken, wrongToken, TestServer.storefrontKey, visitorToken] {
            let leaking = lines.filter { $0.contains(secret) }
            #expect(leaking.isEmpty, "\(secret) appears in \(leaking.count) lines, e.g. \(leaking.first ?? "")")
        }
        // The ids appear as pseudonyms: the privacy audit lines and the access log still say who.
        let userPseudonym = pseudonymizer.pseudonym(for: userId)
        let sessionPseudonym = pseudonymizer.pseudonym(for: sessionId)
        #expect(lines.contains { $0.contains("user data erased") && $0.contains(userPseudonym) && $0.contains(#""actor":"log-dpo""#) })
        #expect(lines.contains { $0.contains(#""message":"request""#) && $0.contains(sessionPseudonym) })
        #expect(lines.allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) != nil }, "every line is one JSON object")
    }

    @Test("the handler drops secrets and pseudonymises ids in metadata it is given")
    func redaction() {
        let pseudonymizer = Pseudonymizer(secret: "a-test-secret-0123456789")
        let redaction = LogRedaction(pseudonymizer: pseudonymizer)
        let redacted = redaction.redact([
            "userId": "u-42", "session": "s-1", "authorization": "Bearer x", "birthDate": "2001-02-03",
            "privacy.pseudonymSecret": "s", "user": .string(pseudonymizer.pseudonym(for: "u-42")), "status": "200",
        ])
        #expect(redacted["userId"] == .string(pseudonymizer.pseudonym(for: "u-42")))
        #expect(redacted["session"] == .string(pseudonymizer.pseudonym(for: "s-1")))
        #expect(redacted["user"] == .string(pseudonymizer.pseudonym(for: "u-42")), "a pseudonym is not hashed again")
        #expect(redacted["authorization"] == nil && redacted["birthDate"] == nil && redacted["privacy.pseudonymSecret"] == nil)
        #expect(redacted["status"] == "200")
    }

    static func insertUser(_ id: String, birthDate: String) async throws {
        try await withTestDatabase { client in
            try await DemoDataWriter(client: client, logger: TestServer.logger).upsert(users: [
                DemoUser(
                    id: id, birthDate: birthDate, region: "NL", kycStatus: "verified", riskFlags: [], segment: "regular",
                    consentPersonalization: true, consentAnalytics: true)
            ])
        }
    }
}

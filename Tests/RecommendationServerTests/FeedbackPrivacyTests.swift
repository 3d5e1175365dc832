import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import RecommendationServer
@testable import SessionRankAdapters
@testable import SessionRankCore

/// Feedback on a recommendation carries the session id the served record carried: raw for a
/// personalised answer, pseudonymised for a user without consent, whichever path it came by.
@Suite(
    "Feedback pseudonymises sessions of users without consent",
    .enabled(if: IntegrationEnvironment.enabled(needs: "SESSIONRANK_POSTGRES_URL", "SESSIONRANK_REDIS_URL", "SESSIONRANK_KAFKA_BOOTSTRAP"))
)
struct FeedbackPrivacyTests {
    struct Answer: Decodable { var recommendationId: String; var personalized: Bool }

    @Test("POST /v1/feedback and feedback events: pseudonym without consent, raw id with it")
    func feedbackSessionIds() async throws {
        let pseudonymizer = Pseudonymizer(secret: try TestServer.configuration().privacy.pseudonymSecret)
        try await TestServer.withApp { client, _ in
            let privateSession = TestServer.uniqueId("s-private")
            let openSession = TestServer.uniqueId("s-open")
            let withheld = try await client.getJSON("/v1/recommend?sessionId=\(privateSession)&userId=demo-no-consent&limit=3")
            let anonymous = try await client.getJSON("/v1/recommend?sessionId=\(openSession)&limit=3")
            let withheldAnswer = try JSONDecoder().decode(Answer.self, from: Data(withheld.body.utf8))
            let anonymousAnswer = try JSONDecoder().decode(Answer.self, from: Data(anonymous.body.utf8))
            #expect(!withheldAnswer.personalized && withheldAnswer.recommendationId.hasPrefix("rec-np-"))
            #expect(anonymousAnswer.personalized && !anonymousAnswer.recommendationId.hasPrefix("rec-np-"))

            for (answer, session) in [(withheldAnswer, privateSession), (anonymousAnswer, openSession)] {
                let api = #"{"recommendationId":"\#(answer.recommendationId)","sessionId":"\#(session)","type":"click","itemId":"p-00001"}"#
                #expect(try await client.postJSON("/v1/feedback", api).status == .accepted)
                // The storefront may leave userId out of the event: the recommendation id still tells.
                let event = #"{"eventId":"\#(TestServer.uniqueId("e"))","type":"click","sessionId":"\#(session)","itemId":"p-00001","recommendationId":"\#(answer.recommendationId)","position":1}"#
                #expect(try await client.postJSON("/v1/events", event).status == .accepted)
            }

            let hidden = try await readFeedback(recommendationId: withheldAnswer.recommendationId, count: 3)
            #expect(hidden.count == 3, "served, api and event records")
            #expect(hidden.allSatisfy { $0.sessionId == pseudonymizer.pseudonym(for: privateSession) }, "\(hidden.map(\.sessionId))")
            #expect(Set(hidden.filter { $0.kind == "feedback" }.compactMap(\.source)) == ["api", "event"])

            let open = try await readFeedback(recommendationId: anonymousAnswer.recommendationId, count: 3)
            #expect(open.count == 3)
            #expect(open.allSatisfy { $0.sessionId == openSession })
        }
    }

    @Test("recommendation ids carry the consent decision; ids of other forms count as not personalised")
    func recommendationIds() {
        #expect(RecommendationID.isPersonalized(RecommendationID.make(personalized: true)))
        #expect(!RecommendationID.isPersonalized(RecommendationID.make(personalized: false)))
        #expect(RecommendationID.make(personalized: false).hasPrefix("rec-np-"))
        for other in ["r-1", "rec-", "rec-NOT-A-UUID", "rec-0B6F5C1E-2D7A-4E0B-9A51-3F2D8C7E6A10", "xrec-0b6f5c1e-2d7a-4e0b-9a51-3f2d8c7e6a10"] {
            #expect(!RecommendationID.isPersonalized(other), "\(other)")
        }
        let pseudonymizer = Pseudonymizer(secret: "a-test-secret-0123456789")
        let made = FeedbackRecord(
            recommendationId: "r-1", sessionId: "s-1", type: .click, itemId: "i", position: nil, timestamp: 0, source: "api",
            pseudonymizer: pseudonymizer)
        #expect(made.sessionId == pseudonymizer.pseudonym(for: "s-1") && made.personalized == false)
    }
}

import Foundation
import HummingbirdTesting
import Testing

@testable import RecommendationServer
@testable import SessionRankAdapters
@testable import SessionRankCore

/// Served lists and the clicks on them travel through topic `feedback` back into the replica's
/// ranker: the path the online-learned ranker depends on, on the real dev broker.
@Suite(
    "Ranker learns from served-then-clicked lists",
    .enabled(if: IntegrationEnvironment.enabled(needs: "SESSIONRANK_POSTGRES_URL", "SESSIONRANK_REDIS_URL", "SESSIONRANK_KAFKA_BOOTSTRAP")),
    .serialized
)
struct FeedbackLearningTests {
    static func learningWithModel(_ configuration: inout ServiceConfiguration) {
        // The app's own temporary snapshot folder (TestServer's default): a learning app writes a
        // snapshot on shutdown, which must not reach other suites.
        configuration.model.bootstrapDemoSessions = 3_000
        configuration.model.learnFromLog = true
    }

    @Test("a click on a served item becomes one ranker example; an impression and a second click on it do not")
    func clickTeachesRanker() async throws {
        try await TestServer.withApp(Self.learningWithModel) { client, app in
            let started = ContinuousClock.now
            while !app.modelUpdater.status.started, ContinuousClock.now - started < .seconds(20) {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(app.modelUpdater.status.started)
            let session = TestServer.uniqueId("learn")
            let answer = try await client.getJSON("/v1/recommend?sessionId=\(session)&itemId=p-00005&limit=5")
            #expect(answer.status == .ok, "\(answer.body)")
            let served = try JSONDecoder().decode(RecommendationResponse.self, from: Data(answer.body.utf8))
            let clicked = try #require(served.items.dropFirst().first, "needs two items")
            let before = app.modelUpdater.status.feedbackLearned

            func feedback(_ type: String) -> String {
                #"{"recommendationId":"\#(served.recommendationId)","sessionId":"\#(session)","type":"\#(type)","itemId":"\#(clicked.itemId)","position":\#(clicked.position)}"#
            }
            for type in ["impression", "click", "click"] {
                let posted = try await client.postJSON("/v1/feedback", feedback(type))
                #expect(posted.status == .accepted, "\(posted.body)")
            }
            let deadline = ContinuousClock.now + .seconds(20)
            while app.modelUpdater.status.feedbackLearned == before, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            // The log may still deliver the repeated click after the first one counted.
            try await Task.sleep(for: .milliseconds(500))
            #expect(app.modelUpdater.status.feedbackLearned - before == 1)
        }
    }
}

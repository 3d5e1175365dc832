import Foundation
import Testing
@testable import Recommender

/// Whatever the storefront sends, the model's session index and item tables stay bounded.
@Suite("Bounded model state")
struct BoundedStateTests {
    static let day = 86_400.0

    /// One session stays active every day for 120 days while 200 one-event sessions start each
    /// day. With a 30-day window, only the last ~30 days' sessions may stay, and the kNN index
    /// may hold few more slots than live sessions: the long-lived session pins nothing.
    @Test func aLongLivedSessionDoesNotPinOlderSessions() {
        var parameters = ModelParameters()
        parameters.sessionWindowSeconds = 30 * Self.day
        let model = SessionRankModel(parameters: parameters)
        for day in 0..<120 {
            let time = Double(day) * Self.day
            model.apply(ModelEvent(sessionId: "bot", itemId: "p-\(day % 7)", timestamp: time))
            for visitor in 0..<200 {
                model.apply(ModelEvent(sessionId: "d\(day)-v\(visitor)", itemId: "p-\(visitor % 50)", timestamp: time + Double(visitor)))
            }
        }
        let index = model.testState.sessions
        // Sessions of days 89...119 may be live (31 days × 200) plus the long-lived one.
        #expect(index.liveSessions <= 31 * 200 + 1)
        #expect(index.liveSessions >= 30 * 200)
        #expect(index.serial(of: "bot") != nil)
        #expect(index.serial(of: "d10-v3") == nil)
        let slots = index.sessionChunks.reduce(0) { $0 + $1.count }
        // Without per-session eviction the bot's day-0 chunk would pin all 24,000 sessions.
        #expect(slots <= index.liveSessions * 2 + 2 * SessionIndex.chunkSize)
        #expect(model.stats.sessionsEvictedIdle > 0)
    }

    @Test func anIdleSessionLeavesEvenWhenItsChunkStaysLive() {
        var parameters = ModelParameters()
        parameters.sessionWindowSeconds = 100
        let model = SessionRankModel(parameters: parameters)
        // "quiet" and "busy" share the first chunk; only "busy" keeps going.
        model.apply(ModelEvent(sessionId: "quiet", itemId: "A", timestamp: 0))
        for step in 0..<400 {
            model.apply(ModelEvent(sessionId: "busy", itemId: "B\(step % 3)", timestamp: Double(step)))
        }
        let index = model.testState.sessions
        #expect(index.serial(of: "quiet") == nil)
        #expect(index.serial(of: "busy") != nil)
        // The evicted session no longer votes: A has no live session left.
        #expect(index.sessionsWithItem.value(at: Int(model.testState.items.index(of: "A")!)) == 0)
        #expect(index.postings.value(at: Int(model.testState.items.index(of: "A")!)).isEmpty)
    }

    @Test func liveSessionsNeverExceedTheCapAndTheOldestLeaveFirst() {
        var parameters = ModelParameters()
        parameters.maxLiveSessions = 500
        let model = SessionRankModel(parameters: parameters)
        for session in 0..<5_000 {
            model.apply(ModelEvent(sessionId: "s\(session)", itemId: "p-\(session % 40)", timestamp: Double(session)))
        }
        let state = model.testState
        #expect(state.sessions.liveSessions == 500)
        #expect(state.sessions.serial(of: "s4999") != nil)
        #expect(state.sessions.serial(of: "s100") == nil)
        #expect(model.stats.sessionsEvictedOverCapacity == 4_500)
        // idf counts follow the live sessions: 500 sessions over 40 items.
        let counted = (0..<40).reduce(0) { $0 + Int(state.sessions.sessionsWithItem.value(at: Int(state.items.index(of: "p-\($1)")!))) }
        #expect(counted == 500)
        let postings = (0..<40).reduce(0) { $0 + state.sessions.postings.value(at: Int(state.items.index(of: "p-\($1)")!)).count }
        #expect(postings == 500)
    }

    @Test func recommendationsIgnoreEvictedSessions() {
        var parameters = ModelParameters()
        parameters.maxLiveSessions = 2
        // s1 = A X is the oldest and leaves when s3 arrives; only s2 and s3 can vote.
        let model = model(sessions: [["A", "X"], ["A", "Y"], ["A", "Z"]], parameters: parameters)
        let state = model.testState
        var settings = KNNSettings()
        settings.sessionItems = 0; settings.idfWeight = 0; settings.matchDecay = 0
        let scores = state.sessions.knnScores(sessionItems: [index(state, "A")], excludingSerial: nil, settings: settings)
        #expect(scores[index(state, "X")] == nil)
        #expect(scores[index(state, "Y")] != nil)
        #expect(scores[index(state, "Z")] != nil)
    }

    @Test func relocatedSessionsKeepTheirItemsAndSurviveASnapshot() throws {
        var parameters = ModelParameters()
        parameters.sessionWindowSeconds = 1_000
        let model = SessionRankModel(parameters: parameters)
        // "keeper" is in the first chunk and stays active; everyone else in that chunk goes idle.
        model.apply(ModelEvent(sessionId: "keeper", itemId: "K1", timestamp: 0))
        model.apply(ModelEvent(sessionId: "keeper", itemId: "K2", timestamp: 1))
        for session in 0..<(SessionIndex.chunkSize * 4) {
            let time = Double(session * 10)
            model.apply(ModelEvent(sessionId: "other\(session)", itemId: "O\(session % 9)", timestamp: time))
            model.apply(ModelEvent(sessionId: "keeper", itemId: "K\(session % 3)", timestamp: time))
        }
        let before = model.testState.sessions
        let serial = try #require(before.serial(of: "keeper"))
        #expect(serial >= before.firstSerial)
        #expect(before.record(serial: serial)?.items.count == 3)
        let restored = try SessionRankModel.load(from: model.snapshot()).testState.sessions
        #expect(restored.liveSessions == before.liveSessions)
        #expect(restored.serial(of: "keeper") == serial)
    }

    @Test func itemsPastTheCapAreCountedNotLearned() {
        var parameters = ModelParameters()
        parameters.maxItems = 3
        let model = SessionRankModel(parameters: parameters)
        for item in ["A", "B", "C", "D", "E", "A"] {
            model.apply(ModelEvent(sessionId: "s", itemId: item, timestamp: 1))
        }
        #expect(model.stats.items == 3)
        #expect(model.stats.eventsIgnored == 2)
        #expect(model.stats.eventsApplied == 4)
    }
}

import Foundation
import Testing
@testable import LoadCore

@Suite struct EventsAnswerTests {
    @Test func parsesTheServiceAnswer() {
        let body = #"{"accepted":50,"duplicates":0,"rejected":[],"degraded":false}"#
        #expect(EventsAnswer.parse(Array(body.utf8)) == EventsAnswer(accepted: 50))
        let spaced = #"{ "accepted" : 3, "duplicates": 1, "rejected": [{"index":1,"field":"itemId","message":"x"},{"index":4,"field":"type","message":"y"}], "degraded": true }"#
        #expect(EventsAnswer.parse(Array(spaced.utf8)) == EventsAnswer(accepted: 3, duplicates: 1, rejected: 2, degraded: true))
        #expect(EventsAnswer.parse(Array(#"{"error":{"code":"x"}}"#.utf8)) == nil)
    }

    @Test func onlyExactlyAllAcceptedCountsAsSuccess() {
        #expect(EventsAnswer(accepted: 50).outcome(sent: 50) == .success)
        #expect(EventsAnswer(accepted: 49).outcome(sent: 50) == .failure("events_accepted_mismatch"))
        #expect(EventsAnswer(accepted: 49, rejected: 1).outcome(sent: 50) == .failure("events_rejected"))
        #expect(EventsAnswer(accepted: 50, duplicates: 2).outcome(sent: 50) == .failure("events_duplicates"))
        #expect(EventsAnswer(accepted: 1, degraded: true).outcome(sent: 1) == .failure("events_degraded"))
        #expect(EventsAnswer.outcome(body: Array("not json".utf8), sent: 1) == .failure("events_bad_answer"))
        #expect(EventsAnswer.outcome(body: Array(#"{"accepted":1,"duplicates":0,"rejected":[],"degraded":false}"#.utf8), sent: 1) == .success)
    }

    @Test func timestampsAreRFC3339UTCWithMilliseconds() {
        #expect(RFC3339Timestamp.string(unixMilliseconds: 0) == "1970-01-01T00:00:00.000Z")
        #expect(RFC3339Timestamp.string(unixMilliseconds: 951_782_400_250) == "2000-02-29T00:00:00.250Z")
        #expect(RFC3339Timestamp.string(unixMilliseconds: 1_795_426_200_007) == "2026-11-23T09:30:00.007Z")
        // Agrees with Foundation over a spread of instants.
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        for ms in stride(from: Int64(1_600_000_000_123), to: 1_900_000_000_000, by: 7_777_777_777) {
            #expect(RFC3339Timestamp.string(unixMilliseconds: ms) == formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000)))
        }
    }

    @Test func batchBodyCarriesEveryEventWithItsTimestamp() throws {
        let events = (1...50).map {
            EventBody(eventId: "e\($0)", type: "product_view", sessionId: "s", deviceId: "d", userId: nil, itemId: "p-00001",
                      device: "mobile", region: "DE", timestamp: "2026-11-23T09:30:00.000Z")
        }
        let batch = try JSONSerialization.jsonObject(with: Data(EventBody.batch(events).utf8)) as? [String: Any]
        let list = try #require(batch?["events"] as? [[String: Any]])
        #expect(list.count == 50)
        #expect(Set(list.compactMap { $0["eventId"] as? String }).count == 50)
        #expect(list.allSatisfy { $0["timestamp"] as? String == "2026-11-23T09:30:00.000Z" })
        let single = try JSONSerialization.jsonObject(with: Data(EventBody.batch([events[0]]).utf8)) as? [String: Any]
        #expect(single?["eventId"] as? String == "e1")
    }

    @Test func constantRateReplacesEveryProfile() {
        var scenario = Scenario(workloads: [
            Workload(kind: .events, rate: .steps([.init(rate: 20, seconds: 10), .init(rate: 40, seconds: 10)])),
            Workload(kind: .health, rate: .ramp(from: 1, to: 2, seconds: 3)),
        ])
        scenario.setConstantRate(60)
        #expect(scenario.workloads.map(\.rate) == [.constant(60), .constant(60)])
    }

    @Test func batchScenarioPostsFiftyEvents() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../scenarios/events-batch.yaml").standardized.path
        let scenario = try ScenarioLoader.load(path: path)
        #expect(scenario.workloads.count == 1)
        #expect(scenario.workloads[0].kind == .events)
        #expect(scenario.workloads[0].batchSize == 50)
        #expect(scenario.capacity?.endpoints == [.events])
        #expect(scenario.capacity?.minRatio.isEmpty == true)
    }

    @Test func recorderCountsAcceptedEventsOfSuccessesOnly() {
        var recorder = RunRecorder(warmupNanos: 0, lateThresholdNanos: 1_000_000)
        for index in 0..<4 {
            recorder.recordIntended(endpoint: "events", intendedNanos: UInt64(index) * 1_000)
            recorder.recordCompletion(
                endpoint: "events", intendedNanos: UInt64(index) * 1_000, completedNanos: UInt64(index) * 1_000 + 500_000,
                outcome: index == 3 ? .failure("events_rejected") : .success, events: index == 3 ? 0 : 50)
        }
        let summary = SummaryBuilder.endpoint(name: "events", recorder: recorder.endpoints["events"]!, durationSeconds: 2)
        #expect(summary.succeeded == 3)
        #expect(summary.eventsAccepted == 150)
        #expect(summary.eventsPerSecond == 75)
        let health = SummaryBuilder.endpoint(name: "health", recorder: EndpointRecorder(), durationSeconds: 2)
        #expect(health.eventsAccepted == nil)
    }
}

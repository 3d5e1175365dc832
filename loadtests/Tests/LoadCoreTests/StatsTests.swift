import Testing
@testable import LoadCore

@Suite struct StatsTests {
    static let ms: UInt64 = 1_000_000

    /// 100 requests 10 ms apart after a 1 s warm-up, answered in 1…100 ms.
    static func recorded() -> RunRecorder {
        var recorder = RunRecorder(warmupNanos: 1_000 * ms, lateThresholdNanos: ms)
        for i in 0..<100 {
            let intended = 1_000 * ms + UInt64(i) * 10 * ms
            recorder.recordIntended(endpoint: "recommend", intendedNanos: intended)
            recorder.recordSent(endpoint: "recommend", intendedNanos: intended, sentNanos: intended + (i == 0 ? 5 * ms : 0))
            recorder.recordCompletion(endpoint: "recommend", intendedNanos: intended, completedNanos: intended + UInt64(i + 1) * ms, outcome: .success)
        }
        return recorder
    }

    @Test func percentilesComeFromTheIntendedTime() {
        let summary = SummaryBuilder.endpoint(name: "recommend", recorder: Self.recorded().endpoints["recommend"]!, durationSeconds: 1)
        #expect(abs(summary.latencyMs.p50 - 50) < 0.1)
        #expect(abs(summary.latencyMs.p90 - 90) < 0.1)
        #expect(abs(summary.latencyMs.p99 - 99) < 0.1)
        #expect(abs(summary.latencyMs.max - 100) < 0.1)
        #expect(summary.lateSends == 1)
        #expect(summary.targetRate == 100)
        #expect(summary.achievedRate == 100)
        #expect(summary.percentiles.last?.percentile == 100)
    }

    @Test func warmupIsLeftOut() {
        var recorder = RunRecorder(warmupNanos: 1_000 * Self.ms, lateThresholdNanos: Self.ms)
        recorder.recordIntended(endpoint: "events", intendedNanos: 10 * Self.ms)
        recorder.recordCompletion(endpoint: "events", intendedNanos: 10 * Self.ms, completedNanos: 20 * Self.ms, outcome: .success)
        #expect(recorder.endpoints["events"] == nil)
        #expect(recorder.warmupRequests == 1)
    }

    @Test func errorsAndTimeoutsAreCountedByKind() {
        var recorder = RunRecorder(warmupNanos: 0, lateThresholdNanos: Self.ms)
        for (i, outcome) in [Outcome.success, .failure("http_503"), .failure("http_503"), .timeout].enumerated() {
            let t = UInt64(i) * Self.ms
            recorder.recordIntended(endpoint: "events", intendedNanos: t)
            recorder.recordCompletion(endpoint: "events", intendedNanos: t, completedNanos: t + Self.ms, outcome: outcome)
        }
        let summary = SummaryBuilder.endpoint(name: "events", recorder: recorder.endpoints["events"]!, durationSeconds: 1)
        #expect(summary.errors == ["http_503": 2])
        #expect(summary.timeouts == 1)
        #expect(summary.errorRate == 0.75)
    }

    @Test func mergingThreadsAddsCounts() {
        var a = Self.recorded()
        a.merge(Self.recorded())
        #expect(a.endpoints["recommend"]!.scheduled == 200)
        #expect(a.endpoints["recommend"]!.latency.totalCount == 200)
        #expect(a.overall.succeeded == 200)
    }

    @Test func timelineBucketsBySecond() {
        let summary = SummaryBuilder.endpoint(name: "recommend", recorder: Self.recorded().endpoints["recommend"]!, durationSeconds: 1)
        #expect(summary.timeline.count == 1)
        #expect(summary.timeline[0].intended == 100)
    }

    @Test func hgrmHasPercentileLinesInMilliseconds() {
        let text = HgrmWriter.text(of: Self.recorded().endpoints["recommend"]!.latency)
        #expect(text.contains("Percentile"))
        #expect(text.contains("#[Max     =      100.0"))
    }
}

import Testing
@testable import LoadCore

@Suite struct SLOAndComparisonTests {
    static func summary(p50: Double, p99: Double, achieved: Double = 100, errors: Int = 0) -> RunSummary {
        let endpoint = EndpointSummary(
            name: "recommend", scheduled: 1000, succeeded: 1000 - errors, timeouts: 0, errors: errors > 0 ? ["http_503": errors] : [:],
            targetRate: 100, achievedRate: achieved,
            latencyMs: LatencySummary(p50: p50, p90: p99 * 0.8, p99: p99, p999: p99 * 1.5, max: p99 * 2, mean: p50),
            lateSends: 0, latenessP99Ms: 0, latenessMaxMs: 0, percentiles: [], timeline: [])
        return RunSummary(
            scenario: "s", target: "http://127.0.0.1:8080", startedAt: "now", warmupSeconds: 1, durationSeconds: 10,
            harness: HarnessInfo(clientThreads: 1, maxConnections: 1, connectionsOpened: 1, arrival: "uniform", warmupRequests: 0),
            endpoints: [endpoint], overall: endpoint)
    }

    @Test func sloPassesAndMisses() {
        let objective = ServiceLevelObjective(endpoint: "recommend", p50Ms: 1, p99Ms: 3, maxErrorRate: 0.001)
        let passing = SLOEvaluator.evaluate([objective], summary: Self.summary(p50: 0.8, p99: 2.9))
        #expect(passing.allSatisfy { $0.passed })
        let missed = SLOEvaluator.evaluate([objective], summary: Self.summary(p50: 0.8, p99: 3.1))
        #expect(missed.filter { !$0.passed }.map(\.objective) == ["p99Ms"])
        let errors = SLOEvaluator.evaluate([objective], summary: Self.summary(p50: 0.8, p99: 2, errors: 2))
        #expect(errors.filter { !$0.passed }.map(\.objective) == ["errorRate"])
    }

    @Test func anEndpointWithoutTrafficFails() {
        let results = SLOEvaluator.evaluate([ServiceLevelObjective(endpoint: "events", p99Ms: 10)], summary: Self.summary(p50: 1, p99: 2))
        #expect(results.count == 1 && !results[0].passed)
    }

    @Test func achievedRatioCatchesAServiceThatFallsBehind() {
        let results = SLOEvaluator.evaluate(
            [ServiceLevelObjective(endpoint: "recommend", minAchievedRatio: 0.99)], summary: Self.summary(p50: 1, p99: 2, achieved: 90))
        #expect(results.map(\.passed) == [false])
    }

    @Test func comparisonFlagsRegressionsBeyondTolerance() {
        let rows = Comparison.compare(
            baseline: Self.summary(p50: 1, p99: 2), candidate: Self.summary(p50: 1.05, p99: 3), tolerance: 0.1)
        let regressed = rows.filter(\.regressed).map { "\($0.endpoint) \($0.metric)" }
        #expect(regressed.contains("recommend p99 ms"))
        #expect(!regressed.contains("recommend p50 ms"))
        #expect(!regressed.contains { $0.hasSuffix("max ms") })
        #expect(Comparison.table(rows).contains("REGRESSED"))
    }

    @Test func fewerRequestsPerSecondIsWorse() {
        let rows = Comparison.compare(
            baseline: Self.summary(p50: 1, p99: 2, achieved: 100), candidate: Self.summary(p50: 1, p99: 2, achieved: 80), tolerance: 0.1)
        #expect(rows.first { $0.metric == "achieved/s" && $0.endpoint == "recommend" }?.regressed == true)
    }

    @Test func capacitySearchGrowsThenBisects() {
        var search = CapacitySearch(startRate: 100, maxRate: 10_000, growthFactor: 2, precision: 0.05, maxTrials: 20)
        let capacity = 730.0
        var tried: [Double] = []
        while let rate = search.nextRate {
            tried.append(rate)
            search.record(rate: rate, passed: rate <= capacity)
        }
        #expect(Array(tried.prefix(5)) == [100, 200, 400, 800, 600])
        let best = search.bestPassing!
        #expect(best <= capacity && best > capacity * 0.95)
    }

    @Test func aFailedRateIsRunAgainBeforeItCounts() {
        var search = CapacitySearch(startRate: 1000, maxRate: 10_000, growthFactor: 2, precision: 0.05, maxTrials: 20, failureRepeats: 1)
        var tried: [Double] = []
        // 2,000/s stalls once and then passes; 4,000/s fails both times.
        var stalled = false
        while let rate = search.nextRate {
            tried.append(rate)
            var passed = rate <= 3000
            if rate == 2000, !stalled { stalled = true; passed = false }
            search.record(rate: rate, passed: passed)
        }
        #expect(Array(tried.prefix(5)) == [1000, 2000, 2000, 4000, 4000])
        #expect(tried[5] == 3000)
        #expect(search.bestPassing == 3000 && search.lowestFailing == 3125)

        // Without repeats the stalled trial caps the search below 2,000/s.
        var strict = CapacitySearch(startRate: 1000, maxRate: 10_000, growthFactor: 2, precision: 0.05, maxTrials: 20)
        var first = true
        while let rate = strict.nextRate {
            var passed = rate <= 3000
            if rate == 2000, first { first = false; passed = false }
            strict.record(rate: rate, passed: passed)
        }
        #expect(strict.bestPassing! < 2000)
    }

    @Test func capacitySearchComesDownWhenTheStartFails() {
        var search = CapacitySearch(startRate: 1000, maxRate: 10_000, growthFactor: 2, precision: 0.1, maxTrials: 20)
        while let rate = search.nextRate { search.record(rate: rate, passed: rate <= 300) }
        #expect(search.bestPassing != nil && search.bestPassing! <= 300 && search.bestPassing! > 270)
    }

    @Test func capacityRatiosAgainstTheCeiling() {
        let summary = CapacitySummary(
            slo: ServiceLevelObjective(endpoint: nil, p99Ms: 10),
            ceiling: .init(endpoint: "health", bestRate: 10_000, trials: []),
            searches: [.init(endpoint: "recommend", bestRate: 4500, trials: []), .init(endpoint: "events", bestRate: 4000, trials: [])],
            minRatio: ["recommend": 0.4, "events": 0.5])
        #expect(summary.searches[0].ratioToCeiling == 0.45 && summary.searches[0].passed)
        #expect(!summary.searches[1].passed)
        #expect(!summary.passed)
    }
}

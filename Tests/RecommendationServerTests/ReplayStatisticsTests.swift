import Testing

@testable import SessionRankCore

/// The replay's figures on tallies worked out by hand, and what the bootstrap promises.
@Suite("Replay statistics")
struct ReplayStatisticsTests {
    /// Session A: two answers, the target at rank 1 then rank 2 under live, missed under draft;
    /// session B: one answer, missed under live, rank 4 under draft.
    static let tallies: [SessionTally] = {
        var a = SessionTally()
        a.predictions = 2
        a.reciprocalRank = Side(live: 1 + 0.5, draft: 0)
        a.hits = Side(live: 2, draft: 0)
        a.shown = Side(live: [0, 1], draft: [0, 3])
        a.rules = ["excluded_category": RuleTally(live: 0, draft: 2, changed: 2, business: true)]
        var b = SessionTally()
        b.predictions = 1
        b.reciprocalRank = Side(live: 0, draft: 0.25)
        b.hits = Side(live: 0, draft: 1)
        b.shown = Side(live: [1, 2], draft: [3])
        b.rules = ["min_age": RuleTally(live: 1, draft: 1, changed: 0)]
        return [a, b]
    }()

    @Test("point figures: MRR and HR per answer, coverage over the catalogue, rule counts per answer")
    func pointFigures() {
        let figures = ReplayStatistics(tallies: Self.tallies, itemCount: 4, catalogueSize: 10).compute()
        #expect(figures.mrr.live.value == 0.5)
        #expect(figures.mrr.draft.value == 0.25 / 3)
        #expect(figures.mrr.difference.value == 0.25 / 3 - 0.5)
        #expect(figures.hitRate.live.value == 2.0 / 3)
        #expect(figures.hitRate.draft.value == 1.0 / 3)
        #expect(figures.coverage.live.value == 0.3)
        #expect(figures.coverage.draft.value == 0.2)
        #expect(figures.rules["excluded_category"]?.draft.value == 2)
        #expect(figures.rules["excluded_category"]?.live.value == 0)
        #expect(figures.rules["min_age"]?.changed.value == 0)
        #expect(figures.rules["min_age"]?.live.value == 1)
    }

    @Test("intervals hold the value, stay within what any resample can give, and repeat for a seed")
    func intervals() {
        let statistics = ReplayStatistics(tallies: Self.tallies, itemCount: 4, catalogueSize: 10)
        let figures = statistics.compute()
        for estimate in [figures.mrr.live, figures.mrr.draft, figures.hitRate.live, figures.coverage.live, figures.mrr.difference] {
            #expect(estimate.low <= estimate.value && estimate.value <= estimate.high, "\(estimate)")
        }
        // A resample of session A alone has MRR 0.75, of B alone 0: the interval lies between.
        #expect(figures.mrr.live.low >= 0 && figures.mrr.live.high <= 0.75)
        #expect(figures.mrr.live.low < figures.mrr.live.high, "two different sessions give a spread")
        // Rule counts over two sessions: at most both drawn from the one that has them.
        #expect(figures.rules["excluded_category"]!.draft.high <= 4)
        #expect(statistics.compute().mrr == figures.mrr)
    }

    @Test("identical sides: every difference and its interval are zero")
    func identicalSides() {
        let same = Self.tallies.map { tally -> SessionTally in
            var tally = tally
            tally.reciprocalRank.draft = tally.reciprocalRank.live
            tally.hits.draft = tally.hits.live
            tally.shown.draft = tally.shown.live
            return tally
        }
        let figures = ReplayStatistics(tallies: same, itemCount: 4, catalogueSize: 10).compute()
        for comparison in [figures.mrr, figures.hitRate, figures.coverage] {
            #expect(comparison.difference == Estimate(value: 0, low: 0, high: 0))
            #expect(comparison.live == comparison.draft)
        }
    }

    @Test("no sessions: zero figures, no crash")
    func empty() {
        let figures = ReplayStatistics(tallies: [], itemCount: 0, catalogueSize: 0).compute()
        #expect(figures.mrr.live == Estimate(value: 0, low: 0, high: 0))
        #expect(figures.rules.isEmpty)
    }
}

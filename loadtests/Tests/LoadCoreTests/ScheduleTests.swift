import Testing
@testable import LoadCore

@Suite struct ScheduleTests {
    @Test func constantUniformRateGivesEvenGapsAndTheExpectedCount() {
        var generator = SeededGenerator(seed: 1)
        let times = ArrivalSchedule.intendedTimes(
            profile: .constant(100), process: .uniform, warmupSeconds: 1, durationSeconds: 2, generator: &generator)
        #expect(times.count == 300)
        #expect(times[0] == 5_000_000)  // half a gap first
        #expect(times[1] - times[0] == 10_000_000)
        #expect(times == times.sorted())
    }

    @Test func poissonArrivalsAverageToTheRate() {
        var generator = SeededGenerator(seed: 7)
        let times = ArrivalSchedule.intendedTimes(
            profile: .constant(1000), process: .poisson, warmupSeconds: 0, durationSeconds: 10, generator: &generator)
        #expect(abs(times.count - 10_000) < 400)
        #expect(times.last! < 10_000_000_000)
    }

    @Test func rampIntegratesToTheAverageRate() {
        var generator = SeededGenerator(seed: 1)
        let times = ArrivalSchedule.intendedTimes(
            profile: .ramp(from: 100, to: 300, seconds: 10), process: .uniform, warmupSeconds: 0, durationSeconds: 10,
            generator: &generator)
        #expect(abs(times.count - 2000) < 20)
        let firstSecond = times.filter { $0 < 1_000_000_000 }.count
        let lastSecond = times.filter { $0 >= 9_000_000_000 }.count
        #expect(firstSecond < lastSecond)
    }

    @Test func stepsHoldEachRateAndTheWarmupUsesTheFirst() {
        let profile = RateProfile.steps([.init(rate: 10, seconds: 5), .init(rate: 50, seconds: 5)])
        #expect(profile.rate(at: -1) == 10)
        #expect(profile.rate(at: 4.9) == 10)
        #expect(profile.rate(at: 5) == 50)
        #expect(profile.rate(at: 100) == 50)
        #expect(profile.peakRate == 50)
    }

    @Test func sameSeedSameSchedule() {
        var a = SeededGenerator(seed: 9)
        var b = SeededGenerator(seed: 9)
        let one = ArrivalSchedule.intendedTimes(profile: .constant(50), process: .poisson, warmupSeconds: 0, durationSeconds: 2, generator: &a)
        let two = ArrivalSchedule.intendedTimes(profile: .constant(50), process: .poisson, warmupSeconds: 0, durationSeconds: 2, generator: &b)
        #expect(one == two)
    }

    @Test func timelineKeepsSessionsOnOneThreadAndDropsPageViewsAfterTheEnd() {
        var storefront = Workload(kind: .storefront, rate: .constant(5))
        storefront.session.thinkTimeMeanMs = 1000
        var scenario = Scenario(workloads: [storefront, Workload(kind: .health, rate: .constant(10))])
        scenario.warmupSeconds = 0
        scenario.durationSeconds = 4
        let plans = TimelineBuilder.build(scenario: scenario, catalog: nil, replays: [:], runTag: "t", threads: 2)
        #expect(plans.count == 2)
        for plan in plans {
            #expect(plan.entries.map(\.nanos) == plan.entries.map(\.nanos).sorted())
            #expect(plan.entries.allSatisfy { $0.nanos < 4_000_000_000 })
            for case .pageView(let session, _) in plan.entries.map(\.action) { #expect(session < plan.sessions.count) }
        }
        let requests = plans.flatMap(\.entries).filter { if case .request = $0.action { return true } else { return false } }
        #expect(requests.count == 40)
    }
}

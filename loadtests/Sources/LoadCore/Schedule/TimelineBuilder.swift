/// What a client thread does at one intended time.
public enum TimelineAction: Sendable, Equatable {
    /// One independent request of workload `workload` (recommend, events, admin, health).
    case request(workload: Int)
    /// Page view `page` of the thread's session `session`.
    case pageView(session: Int, page: Int)
}

public struct TimelineEntry: Sendable, Equatable {
    public var nanos: UInt64
    public var action: TimelineAction
}

/// Everything one client thread needs, decided before the run.
public struct WorkerPlan: Sendable {
    public var entries: [TimelineEntry] = []
    public var sessions: [SessionPlan] = []
}

/// Turns a scenario into sorted per-thread timelines. Sessions stay on one thread so
/// their page views are ordered without locks; single requests are dealt round-robin.
public enum TimelineBuilder {
    public static func build(
        scenario: Scenario, catalog: Catalog?, replays: [Int: ReplaySessions], runTag: String, threads: Int
    ) -> [WorkerPlan] {
        var plans = Array(repeating: WorkerPlan(), count: max(threads, 1))
        let root = SeededGenerator(seed: scenario.seed)
        let totalNanos = UInt64((scenario.warmupSeconds + scenario.durationSeconds) * ArrivalSchedule.nanosPerSecond)
        var sessionCount = 0
        var requestCount = 0
        for (index, workload) in scenario.workloads.enumerated() {
            var generator = root.derived(UInt64(index + 1))
            let arrivals = ArrivalSchedule.intendedTimes(
                profile: workload.rate, process: scenario.arrival,
                warmupSeconds: scenario.warmupSeconds, durationSeconds: scenario.durationSeconds,
                generator: &generator
            )
            guard workload.kind == .storefront else {
                for nanos in arrivals {
                    plans[requestCount % plans.count].entries.append(TimelineEntry(nanos: nanos, action: .request(workload: index)))
                    requestCount += 1
                }
                continue
            }
            let planner = SessionPlanner(
                settings: workload.session, universe: scenario.items, correctness: scenario.correctness,
                catalog: catalog, replay: replays[index], runTag: runTag
            )
            for arrival in arrivals {
                let plan = planner.plan(index: sessionCount, workload: index, using: &generator)
                let thread = sessionCount % plans.count
                sessionCount += 1
                let local = plans[thread].sessions.count
                plans[thread].sessions.append(plan)
                // Page views after the end of the run are not sent: the run's duration is bounded.
                for (page, view) in plan.pageViews.enumerated() where arrival + view.offsetNanos < totalNanos {
                    plans[thread].entries.append(TimelineEntry(nanos: arrival + view.offsetNanos, action: .pageView(session: local, page: page)))
                }
            }
        }
        for i in plans.indices { plans[i].entries.sort { $0.nanos < $1.nanos } }
        return plans
    }
}

import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging
import Recommender
import Synchronization

/// Runs one replay at a time, off the request path: `start` answers at once and the replay goes
/// on in a task of its own, ranking on a thread of its own at a lower priority, so serving goes
/// on meanwhile. Keeps the last few reports for polling.
public final class ReplayRunner: Sendable {
    private struct State {
        var running: String?
        var reports: [String: ReplayReport] = [:]
        var order: [String] = []
    }

    private let history: any EventHistory
    private let service: RecommendationService
    private let budget: Duration
    private let logger: Logger
    private let state = Mutex(State())
    private static let reportsKept = 20

    public init(history: any EventHistory, service: RecommendationService, budgetSeconds: Int, logger: Logger) {
        self.history = history
        self.service = service
        self.budget = .seconds(budgetSeconds)
        self.logger = logger
    }

    public var budgetSeconds: Int { Int(budget.components.seconds) }

    /// Starts a replay of `plan`; 409 while another runs.
    public func start(_ plan: ReplayPlan) throws(APIError) -> ReplayReport {
        // Frozen now: learning goes on in the live model, the replay ranks on this state.
        let engine = service.model.model.copy()
        let report = ReplayReport(
            id: "rp-" + RandomIdentifier.uuidString().lowercased().prefix(12), status: .running, startedAt: Date(),
            sessionsRequested: plan.sessions, hours: plan.hours, placement: plan.placement.rawValue,
            liveConfigVersion: plan.live.version, draftConfigVersion: plan.draft.version, modelVersion: "m-\(engine.version)",
            budgetSeconds: budgetSeconds)
        let busy: String? = state.withLock { s in
            if let running = s.running { return running }
            s.running = report.id
            s.reports[report.id] = report
            s.order.append(report.id)
            if s.order.count > Self.reportsKept { s.reports[s.order.removeFirst()] = nil }
            return nil
        }
        if let busy {
            throw APIError(
                status: .conflict, code: "replay_running",
                message: "replay \(busy) is still running; only one replay runs at a time: poll GET /admin/v1/replay/\(busy) and retry when it is done",
                headers: [.retryAfter: "\(max(1, budgetSeconds / 2))"])
        }
        Task.detached { await self.run(report.id, plan: plan, engine: engine) }
        return report
    }

    public func report(_ id: String) -> ReplayReport? {
        state.withLock { $0.reports[id] }
    }

    private func run(_ id: String, plan: ReplayPlan, engine: SessionRankModel) async {
        let started = ContinuousClock.now
        let deadline = started + budget
        // The read may use half the budget, so ranking always gets the rest.
        let readDeadline = started + budget / 2
        let outcome: Result<ReplayResult, EventHistoryError>
        do throws(EventHistoryError) {
            let history = try await history.recentSessions(
                limit: plan.sessions, since: plan.since, until: plan.until, deadline: readDeadline)
            let service = self.service
            let result = await Self.onOwnThread {
                let pass = service.replay(history.sessions, plan: plan, engine: engine, deadline: deadline)
                let figures = ReplayStatistics(tallies: pass.tallies, itemCount: pass.items.count, catalogueSize: pass.catalogueSize).compute()
                return ReplayResult(history: history, pass: pass, statistics: figures)
            }
            outcome = .success(result)
        } catch {
            outcome = .failure(error)
        }
        state.withLock { s in
            s.running = nil
            guard var report = s.reports[id] else { return }
            report.finishedAt = Date()
            switch outcome {
            case .success(let result):
                report.status = .done
                report.result = result
            case .failure(let error):
                report.status = .failed
                report.error = .init(code: "event_log_unavailable", message: "\(error)")
            }
            s.reports[id] = report
        }
        let elapsed = ContinuousClock.now - started
        switch outcome {
        case .success(let result):
            logger.info("replay done", metadata: [
                "replay": "\(id)", "sessions": "\(result.sessionsEvaluated)", "predictions": "\(result.predictions)",
                "truncated": "\(result.truncated)", "elapsed": "\(elapsed)",
            ])
        case .failure(let error):
            logger.warning("replay failed", metadata: ["replay": "\(id)", "error": "\(error)"])
        }
    }

    /// Runs CPU-bound work on a new thread: the event loops (which are also Swift's global
    /// executor in `sessionrank serve`) stay free for requests.
    private static func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                #if canImport(Glibc)
                // Serving comes first: a waking event loop preempts the replay.
                _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
                #endif
                continuation.resume(returning: work())
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }
}

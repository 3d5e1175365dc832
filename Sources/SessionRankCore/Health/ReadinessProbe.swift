import Foundation

/// One external dependency as `/health/ready` sees it. Adapters provide one each.
public protocol DependencyHealthCheck: Sendable {
    /// The key in the readiness report: `redis`, `postgres`, `kafka`.
    var name: String { get }
    /// Returns when the dependency answered; throws when it did not.
    func check() async throws
}

/// The body of `/health/ready`.
public struct ReadinessReport: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        /// Every dependency answered.
        case ready
        /// Some dependency is down; the service still answers, with fallbacks.
        case degraded
        /// Nothing answered, or the service is starting or draining.
        case unavailable
    }

    public struct Check: Codable, Sendable, Equatable {
        public var status: String
        public var latencyMilliseconds: Double
        public var error: String?
    }

    /// The live model: where it came from and how much it has learned.
    public struct Model: Codable, Sendable, Equatable {
        public var origin: String
        public var version: String
        public var eventsApplied: Int64
        /// True while the model updater catches up with the log it found at start (or has not started).
        public var replaying: Bool?
    }

    public var status: Status
    public var checks: [String: Check]
    public var model: Model?
}

/// Runs every dependency check concurrently, each within its own time budget.
public struct ReadinessProbe: Sendable {
    private let checks: [any DependencyHealthCheck]
    private let timeout: Duration
    private let model: LiveModel?
    private let updater: (any LearningLoop)?

    public init(checks: [any DependencyHealthCheck], timeout: Duration, model: LiveModel? = nil, updater: (any LearningLoop)? = nil) {
        self.checks = checks
        self.timeout = timeout
        self.model = model
        self.updater = updater
    }

    public func report() async -> ReadinessReport {
        let results = await withTaskGroup(of: (String, ReadinessReport.Check).self) { group in
            for check in checks {
                group.addTask { (check.name, await run(check)) }
            }
            var results: [String: ReadinessReport.Check] = [:]
            for await (name, result) in group { results[name] = result }
            return results
        }
        let upCount = results.values.filter { $0.status == "up" }.count
        let status: ReadinessReport.Status =
            upCount == results.count ? .ready : upCount == 0 ? .unavailable : .degraded
        let modelReport = model.map { live in
            let stats = live.model.stats
            return ReadinessReport.Model(origin: live.origin.description, version: "m-\(stats.version)", eventsApplied: stats.eventsApplied,
                replaying: updater?.isReplaying)
        }
        return ReadinessReport(status: status, checks: results, model: modelReport)
    }

    private func run(_ check: any DependencyHealthCheck) async -> ReadinessReport.Check {
        let clock = ContinuousClock()
        let started = clock.now
        let timeout = self.timeout
        // withDeadline, not a task group: a group waits for its check to notice cancellation, and
        // a client stuck on a paused server (PostgreSQL under SIGSTOP) never does, which held
        // /health/ready for as long as the pause lasted.
        let failure: String?
        do {
            try await withDeadline(timeout) { try await check.check() }
            failure = nil
        } catch is DeadlineExceeded {
            failure = "no answer within \(timeout.milliseconds) ms"
        } catch {
            failure = String(describing: error)
        }
        let elapsed = (clock.now - started).milliseconds
        return ReadinessReport.Check(status: failure == nil ? "up" : "down", latencyMilliseconds: elapsed, error: failure)
    }
}

extension Duration {
    package var milliseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1_000 + Double(attoseconds) / 1e15
    }
}

import Foundation
import Testing

@testable import SessionRankCore

/// What every `DependencyHealthCheck` must do: pass while its dependency answers; fail, within
/// the readiness probe's budget and without holding the probe up, while the dependency is paused
/// (connections open, nothing answers) or gone; pass again once it is back.
struct HealthCheckContract {
    let check: any DependencyHealthCheck
    /// The key it reports under in `/health/ready`.
    let name: String
    /// The readiness probe's budget for each check (`health.checkTimeoutMilliseconds`).
    let timeout: Duration
    /// Makes the dependency stop answering with its connections left open, and undoes it.
    let pause: @Sendable () async throws -> Void
    let resume: @Sendable () async throws -> Void
    /// Takes the dependency away for good.
    let stop: @Sendable () async throws -> Void
    /// How late past the budget a report may come: scheduling on a loaded two-core machine.
    var slack: Duration = .seconds(1)

    func checkAll() async throws {
        #expect(check.name == name)
        try await check.check()
        #expect(try await report().status == "up", "the live dependency is healthy")

        try await pause()
        let paused = try await report()
        #expect(paused.status == "down", "a paused \(name) is unhealthy")
        #expect(paused.error != nil)
        let bare = await outcomeOfBareCheck()
        #expect(bare != "passed", "the check itself never passes while \(name) is paused")
        try await resume()
        #expect(try await poll(within: .seconds(30)) { try await report().status == "up" }, "healthy again once \(name) answers")

        try await stop()
        let stopped = try await report()
        #expect(stopped.status == "down", "a stopped \(name) is unhealthy")
        #expect(stopped.error != nil)
    }

    /// The probe's verdict on this check alone, which must come within the budget plus slack.
    /// A probe that hangs is recorded as an issue and reported down, so the suite goes on.
    func report() async throws -> ReadinessReport.Check {
        let probe = ReadinessProbe(checks: [check], timeout: timeout)
        let started = ContinuousClock.now
        let verdict = Shared<ReadinessReport?>(nil)
        let running = Task {
            let report = await probe.report()
            verdict.update { $0 = report }
        }
        let limit = timeout + slack
        guard try await poll(within: limit, { verdict.value != nil }), let report = verdict.value else {
            Issue.record("the readiness probe of \(name) gave no verdict within \(limit)")
            running.cancel()
            return ReadinessReport.Check(status: "down", latencyMilliseconds: limit / .milliseconds(1), error: "hung")
        }
        // poll looks every 20 ms, so the verdict may be seen that much after it came.
        #expect(ContinuousClock.now - started <= limit + .milliseconds(50))
        return try #require(report.checks[name], "the report names \(name)")
    }

    /// "passed", "failed", or "pending" when the bare check has not finished within the budget.
    func outcomeOfBareCheck() async -> String {
        let outcome = Shared<String>("pending")
        let running = Task {
            do {
                try await check.check()
                outcome.update { $0 = "passed" }
            } catch {
                outcome.update { $0 = "failed" }
            }
        }
        _ = try? await poll(within: timeout) { outcome.value != "pending" }
        running.cancel()
        return outcome.value
    }
}

import Foundation
import LoadCore
import NIOCore
import NIOPosix

/// A finished run: the summary and the full recorder (for `.hgrm` files).
public struct RunOutput: Sendable {
    public var summary: RunSummary
    public var recorder: RunRecorder
}

/// Runs one scenario against the service: plans the timelines, starts one worker per
/// client thread at a common instant, merges what they recorded.
public enum LoadRunner {
    /// The service's storefront key (role `storefront`): test users name userId, which needs it.
    public static let storefrontKeyVariable = "SESSIONRANK_LOAD_STOREFRONT_KEY"

    public static func run(scenario: Scenario, catalog: Catalog?, environment: [String: String]) async throws -> RunOutput {
        try ScenarioLoader.validate(scenario)
        let target = try LoopbackTarget(url: scenario.target)
        var replays: [Int: ReplaySessions] = [:]
        var adminTokens: [Int: String] = [:]
        for (index, workload) in scenario.workloads.enumerated() {
            if workload.kind == .storefront, workload.session.source == .replay, let file = workload.session.replayFile {
                replays[index] = try ReplaySessions.load(path: file)
            }
            if workload.kind == .admin { adminTokens[index] = environment[workload.tokenEnv] }
        }
        let runTag = String(UInt64(Date().timeIntervalSince1970 * 1000), radix: 36)
        let plans = TimelineBuilder.build(
            scenario: scenario, catalog: catalog, replays: replays, runTag: runTag, threads: scenario.clientThreads)

        let group = MultiThreadedEventLoopGroup(numberOfThreads: scenario.clientThreads)
        let startedAt = ISO8601DateFormatter().string(from: Date())
        // A short lead so every thread is ready before the first intended time.
        let startUptime = NIODeadline.now().uptimeNanoseconds + 100_000_000
        var futures: [EventLoopFuture<WorkerResult>] = []
        let root = SeededGenerator(seed: scenario.seed)
        for (index, plan) in plans.enumerated() {
            let loop = group.next()
            let promise = loop.makePromise(of: WorkerResult.self)
            let input = WorkerInput(
                scenario: scenario, plan: plan, target: target, catalog: catalog, adminTokens: adminTokens,
                storefrontKey: environment[LoadRunner.storefrontKeyVariable].flatMap { $0.isEmpty ? nil : $0 },
                seed: root.derived(UInt64(1000 + index)).seedValue, runTag: runTag, startUptime: startUptime)
            loop.execute {
                Worker(eventLoop: loop, input: input, done: promise).start()
            }
            futures.append(promise.futureResult)
        }
        var recorder = RunRecorder(
            warmupNanos: UInt64(scenario.warmupSeconds * 1e9), lateThresholdNanos: UInt64(scenario.lateThresholdMs * 1e6))
        var tally = CorrectnessTally()
        var opened = 0
        for future in futures {
            let result = try await future.get()
            recorder.merge(result.recorder)
            tally.merge(result.tally)
            opened += result.connectionsOpened
        }
        try await group.shutdownGracefully()

        let (endpoints, overall) = SummaryBuilder.endpoints(of: recorder, durationSeconds: scenario.durationSeconds)
        var summary = RunSummary(
            scenario: scenario.name, target: scenario.target, startedAt: startedAt,
            warmupSeconds: scenario.warmupSeconds, durationSeconds: scenario.durationSeconds,
            harness: HarnessInfo(
                clientThreads: scenario.clientThreads, maxConnections: scenario.maxConnections, connectionsOpened: opened,
                arrival: scenario.arrival.rawValue, warmupRequests: recorder.warmupRequests),
            endpoints: endpoints, overall: overall)
        if scenario.workloads.contains(where: { $0.kind == .storefront || $0.kind == .recommend }) {
            summary.correctness = CorrectnessSummary(
                tally: tally, minShiftPassRate: scenario.correctness.minShiftPassRate,
                skippedReason: catalog == nil ? "no catalog file (--catalog): the checks need item categories and age limits" : nil)
        }
        summary.slo = SLOEvaluator.evaluate(scenario.slo, summary: summary)
        return RunOutput(summary: summary, recorder: recorder)
    }
}

extension SeededGenerator {
    /// A seed for a worker's own generator.
    var seedValue: UInt64 {
        var copy = self
        return copy.next()
    }
}

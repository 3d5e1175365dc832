import ArgumentParser
import Foundation
import Recommender
import RecommenderLab

/// Prediction latency and memory of the engine at a given number of learned events.
struct SimulateScaleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scale",
        abstract: "Learn N synthetic events, then report recommend p50/p90/p99 and resident memory.")

    @Option(help: "Events to learn.")
    var events: Int = 1_000_000

    @Option(help: "Catalogue size (item popularity falls off like Zipf).")
    var items: Int = 200_000

    @Option(help: "Timed recommend calls (prefixes of sessions the model has not learned).")
    var requests: Int = 2_000

    @Option(help: "Events per second of event time (sessions age out by event time).")
    var eventsPerSecond: Double = SyntheticEventStream.Settings().eventsPerSecond

    @Option(help: "Seed of the event stream.")
    var seed: UInt64 = 1

    func validate() throws {
        guard events >= 1, items >= 1, requests >= 1, eventsPerSecond > 0 else {
            throw ValidationError("--events, --items and --requests must be ≥ 1; --events-per-second > 0")
        }
    }

    func run() throws {
        var run = PredictionScaleRun()
        run.events = events
        run.requests = requests
        run.stream.items = items
        run.stream.seed = seed
        run.stream.eventsPerSecond = eventsPerSecond
        let report = run.run(residentBytes: SimulateMemoryCommand.residentBytes)
        print(String(format: "%d events over %d items learned in %.1f s; %d live sessions; VmRSS %.0f MiB",
                     report.events, report.items, report.learnSeconds, report.liveSessions, Double(report.residentBytes) / 1_048_576))
        print("| recommend, µs (\(report.requests) calls) | p50 | p90 | p99 | mean |")
        print("|---|---|---|---|---|")
        for (name, latency) in [("wall, as `evaluate` (minimumReturned 0)", report.evaluatorLike),
                                ("wall, as the service (defaults, region, live session)", report.serviceLike),
                                ("thread CPU, as `evaluate`", report.evaluatorLikeCPU),
                                ("thread CPU, as the service", report.serviceLikeCPU)] {
            print("| \(name) | " + String(format: "%.1f | %.1f | %.1f | %.1f |", latency.p50, latency.p90, latency.p99, latency.mean))
        }
    }
}

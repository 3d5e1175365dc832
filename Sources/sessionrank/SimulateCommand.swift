import ArgumentParser
import Foundation
import Recommender
import RecommenderLab
#if canImport(Glibc)
import Glibc
#endif

/// `sessionrank simulate feedback|memory|scale`: engine measurements on generated data.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate", abstract: "Engine measurements on generated data.",
        subcommands: [SimulateFeedbackCommand.self, SimulateMemoryCommand.self, SimulateScaleCommand.self])
}

/// The ranker's click-through gain in a simulated storefront, ranker on vs off (the blend).
struct SimulateFeedbackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "feedback",
        abstract: "Click-through rate per phase with the online ranker on and off, on the same simulated visitors; with --seeds or --tune-blend, the ranker against a blend tuned on validation visitors, over several seeds.")

    @Option(help: "Seed of the catalogue, the visitors' tastes and every click draw (the first seed with --seeds).")
    var seed: UInt64 = 1

    @Option(help: "Run this many seeds (--seed, --seed + 1, …) and report last-third CTR as mean ± 95 % interval over them.")
    var seeds: Int = 1

    @Flag(help: "Also tune the blend (ranker off) per seed on validation visitors of the same store (visitor seed + 1,000,000) and compare the ranker with it on the seed's own visitors.")
    var tuneBlend = false

    @Option(help: "Tuning trials per seed (with --tune-blend).")
    var trials: Int = FeedbackStudy.Settings().trials

    @Option(help: "Measured visitors (each arm).")
    var visitors: Int = StorefrontSimulation.Settings().visitors

    @Option(help: "Phases the visitors are reported in.")
    var phases: Int = StorefrontSimulation.Settings().phases

    @Option(help: "Self-directed visits learned before the first visitor.")
    var warmUp: Int = StorefrontSimulation.Settings().warmUpVisits

    @Option(help: "JSON file with the RankingConfig of the ranker-on arm (missing keys take their defaults).")
    var config: String?

    func validate() throws {
        guard visitors >= 1, phases >= 1, phases <= visitors, warmUp >= 0 else {
            throw ValidationError("--visitors must be at least 1 and at least --phases (≥ 1); --warm-up must be ≥ 0")
        }
        guard (1...1_000).contains(seeds), (1...10_000).contains(trials) else {
            throw ValidationError("--seeds must be 1…1000 and --trials 1…10000")
        }
    }

    func run() throws {
        var settings = StorefrontSimulation.Settings()
        settings.seed = seed
        settings.visitors = visitors
        settings.phases = phases
        settings.warmUpVisits = warmUp
        if let config {
            settings.config = try JSONDecoder().decode(RankingConfig.self, from: Data(contentsOf: URL(fileURLWithPath: config)))
        }
        let start = Date()
        if seeds > 1 || tuneBlend {
            var study = FeedbackStudy.Settings()
            study.simulation = settings
            study.seeds = (0..<UInt64(seeds)).map { seed &+ $0 }
            study.tuneBlend = tuneBlend
            study.trials = trials
            let results = FeedbackStudy(settings: study).run { print($0) }
            print(try FeedbackStudy.report(results))
        } else {
            let result = StorefrontSimulation(settings: settings).compare()
            print(result.table(visitorsPerPhase: visitors / phases))
        }
        print(String(format: "(%.1f s)", Date().timeIntervalSince(start)))
    }
}

/// Resident memory of the live model while it learns synthetic events, per million events.
struct SimulateMemoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "memory",
        abstract: "Learn synthetic events in the service's batches and report VmRSS per million events.")

    @Option(help: "Events to learn.")
    var events: Int = 5_000_000

    @Option(help: "Print a checkpoint every this many events.")
    var reportEvery: Int = 1_000_000

    @Option(help: "Session-ageing window in seconds of event time (ModelParameters.sessionWindowSeconds; default 30 days).")
    var windowSeconds: Double = ModelParameters.default.sessionWindowSeconds

    @Option(help: "Events per second of event time.")
    var eventsPerSecond: Double = SyntheticEventStream.Settings().eventsPerSecond

    @Option(help: "Catalogue size (item popularity falls off like Zipf).")
    var items: Int = SyntheticEventStream.Settings().items

    @Option(help: "Seed of the event stream.")
    var seed: UInt64 = 1

    func validate() throws {
        guard events >= 1, reportEvery >= 1, windowSeconds > 0, eventsPerSecond > 0, items >= 1 else {
            throw ValidationError("--events, --report-every, --items must be ≥ 1; --window-seconds and --events-per-second > 0")
        }
    }

    func run() throws {
        var run = LearningMemoryRun()
        run.events = events
        run.reportEvery = reportEvery
        run.parameters.sessionWindowSeconds = windowSeconds
        run.stream.eventsPerSecond = eventsPerSecond
        run.stream.items = items
        run.stream.seed = seed
        print(String(format: "window %.0f s of event time (%.1f h); %.0f events/s of event time; %d items; batches of %d",
                     windowSeconds, windowSeconds / 3_600, eventsPerSecond, items, run.batchSize))
        print("| events | VmRSS MiB | growth since start MiB | bytes/event since start | bytes/event, last step | live sessions | items | s |")
        print("|---|---|---|---|---|---|---|---|")
        var baseline: LearningMemoryRun.Checkpoint?
        var previous: LearningMemoryRun.Checkpoint?
        _ = run.run(residentBytes: Self.residentBytes) { point in
            let base = baseline ?? point
            let growth = point.residentBytes - base.residentBytes
            let perEvent = point.events == 0 ? 0 : Double(growth) / Double(point.events)
            let step = previous.map { p in point.events == p.events ? 0 : Double(point.residentBytes - p.residentBytes) / Double(point.events - p.events) } ?? 0
            print(String(format: "| %d | %.1f | %.1f | %.1f | %.1f | %d | %d | %.1f |", point.events, Double(point.residentBytes) / 1_048_576,
                         Double(growth) / 1_048_576, perEvent, step, point.liveSessions, point.items, point.seconds))
            if baseline == nil { baseline = point }
            previous = point
        }
    }

    /// VmRSS of this process from /proc/self/status, after handing freed heap pages back to the
    /// kernel (malloc_trim), so the figure is what the model holds rather than what the allocator keeps cached.
    static func residentBytes() -> Int {
        #if canImport(Glibc)
        // glibc's malloc_trim, which the Glibc module does not export; RTLD_DEFAULT is a null handle.
        if let symbol = dlsym(nil, "malloc_trim") {
            typealias MallocTrim = @convention(c) (Int) -> Int32
            _ = unsafeBitCast(symbol, to: MallocTrim.self)(0)
        }
        #endif
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return 0 }
        let kilobytes = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return kilobytes * 1_024
    }
}

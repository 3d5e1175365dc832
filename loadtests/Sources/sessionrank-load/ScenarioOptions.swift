import ArgumentParser
import Foundation
import LoadCore
import LoadDriver
import LoadStub

/// Options shared by `run` and `capacity`: which scenario, against what, written where.
struct ScenarioOptions: ParsableArguments {
    @Option(help: "Scenario file (.json or .yaml).")
    var scenario: String = "loadtests/scenarios/standard.json"

    @Option(help: "Base URL of the service; overrides the scenario. Loopback only.")
    var target: String?

    @Option(help: "Catalog file (TSV or JSON) with itemId, category, minAge, regions for the correctness checks.")
    var catalog: String?

    @Option(help: "Measured seconds; overrides the scenario.")
    var duration: Double?

    @Option(help: "Warm-up seconds; overrides the scenario.")
    var warmup: Double?

    @Option(help: "Run every workload at this constant rate per second (replaces the scenario's profiles; before --rate-scale).")
    var rate: Double?

    @Option(help: "Multiply every workload's rate by this factor.")
    var rateScale: Double?

    @Option(help: "Client threads (event loops); overrides the scenario.")
    var clientThreads: Int?

    @Option(help: "Directory for summary.json, .hgrm files and report.html.")
    var out: String = "loadtests/results/latest"

    @Option(help: "The service's storefront key (role storefront), sent as Authorization: Bearer on /v1 calls; planned test users name userId, which needs it. Default: $SESSIONRANK_LOAD_STOREFRONT_KEY.")
    var storefrontKey: String?

    @Flag(help: "Start the built-in stub server on a free loopback port and target it (tests the harness itself).")
    var stub = false

    func loadScenario() throws -> Scenario {
        var s = try ScenarioLoader.load(path: scenario)
        if let target { s.target = target }
        if let duration { s.durationSeconds = duration }
        if let warmup { s.warmupSeconds = warmup }
        if let clientThreads { s.clientThreads = clientThreads }
        if let catalog { s.correctness.catalogFile = catalog }
        if let rate { s.setConstantRate(rate) }
        if let rateScale {
            for i in s.workloads.indices { s.workloads[i].rate = s.workloads[i].rate.scaled(by: rateScale) }
        }
        try ScenarioLoader.validate(s)
        return s
    }

    /// The process environment, with --storefront-key in the variable the runner reads.
    func environment() -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        if let storefrontKey { environment[LoadRunner.storefrontKeyVariable] = storefrontKey }
        return environment
    }

    func loadCatalog(_ scenario: Scenario) throws -> Catalog? {
        if stub && scenario.correctness.catalogFile == nil { return Catalog(StubCatalog.items()) }
        return try scenario.correctness.catalogFile.map { try Catalog.load(path: $0) }
    }

    /// Starts the stub when asked and points the scenario at it.
    func startStubIfAsked(_ scenario: inout Scenario) async throws -> StubServer? {
        guard stub else { return nil }
        let server = try await StubServer.start()
        scenario.target = "http://127.0.0.1:\(server.port)"
        return server
    }
}

extension RateProfile {
    func scaled(by factor: Double) -> RateProfile {
        switch self {
        case .constant(let rate): return .constant(rate * factor)
        case .steps(let steps): return .steps(steps.map { .init(rate: $0.rate * factor, seconds: $0.seconds) })
        case .ramp(let from, let to, let seconds): return .ramp(from: from * factor, to: to * factor, seconds: seconds)
        }
    }
}

/// Progress lines go to standard error so standard output stays clean for scripts.
func progress(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

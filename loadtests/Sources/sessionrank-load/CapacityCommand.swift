import ArgumentParser
import Foundation
import LoadCore
import LoadDriver

struct CapacityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capacity",
        abstract: "Find the highest rate per endpoint that meets the SLO, next to the /health/live ceiling.")

    @OptionGroup var options: ScenarioOptions

    func run() async throws {
        var scenario = try options.loadScenario()
        let stub = try await options.startStubIfAsked(&scenario)
        let catalog = try options.loadCatalog(scenario)
        let settings = scenario.capacity ?? CapacitySettings()
        progress("capacity search against \(scenario.target) for health + \(settings.endpoints.map(\.rawValue).joined(separator: ", "))")
        let capacity = try await CapacityRunner.run(
            scenario: scenario, catalog: catalog, environment: options.environment(), progress: { progress($0) })
        try await stub?.shutdown()
        let empty = SummaryBuilder.endpoint(name: "overall", recorder: EndpointRecorder(), durationSeconds: 1)
        var summary = RunSummary(
            scenario: scenario.name + " (capacity)", target: scenario.target,
            startedAt: ISO8601DateFormatter().string(from: Date()),
            warmupSeconds: settings.trialWarmupSeconds, durationSeconds: settings.trialSeconds,
            harness: HarnessInfo(
                clientThreads: scenario.clientThreads, maxConnections: scenario.maxConnections, connectionsOpened: 0,
                arrival: scenario.arrival.rawValue, warmupRequests: 0),
            endpoints: [], overall: empty)
        summary.capacity = capacity
        try ResultWriter.write(summary, recorder: nil, to: options.out)
        print(TextSummary.render(summary))
        if !summary.sloPassed { throw ExitCodes.sloMissed }
    }
}

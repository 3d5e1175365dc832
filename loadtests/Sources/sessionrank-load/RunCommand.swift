import ArgumentParser
import Foundation
import LoadCore
import LoadDriver

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run a scenario and write its results.")

    @OptionGroup var options: ScenarioOptions

    func run() async throws {
        var scenario = try options.loadScenario()
        let stub = try await options.startStubIfAsked(&scenario)
        let catalog = try options.loadCatalog(scenario)
        progress("running '\(scenario.name)' against \(scenario.target): \(scenario.warmupSeconds) s warm-up + \(scenario.durationSeconds) s measured")
        let output = try await LoadRunner.run(scenario: scenario, catalog: catalog, environment: options.environment())
        try await stub?.shutdown()
        try ResultWriter.write(output.summary, recorder: output.recorder, to: options.out)
        print(TextSummary.render(output.summary))
        progress("wrote \(options.out)/summary.json, .hgrm files and report.html")
        if !output.summary.sloPassed { throw ExitCodes.sloMissed }
    }
}

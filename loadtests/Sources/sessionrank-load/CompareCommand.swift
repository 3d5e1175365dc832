import ArgumentParser
import LoadCore

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare", abstract: "Compare two summary.json files (baseline first).")

    @Argument(help: "The baseline summary.json.") var baseline: String
    @Argument(help: "The candidate summary.json.") var candidate: String
    @Option(help: "Relative worsening that counts as a regression (0.10 = 10%).") var tolerance: Double = 0.10

    func run() throws {
        let rows = Comparison.compare(
            baseline: try ResultWriter.readSummary(baseline), candidate: try ResultWriter.readSummary(candidate), tolerance: tolerance)
        print(Comparison.table(rows))
        let regressions = rows.filter(\.regressed)
        print(regressions.isEmpty ? "no regression beyond \(Format.percent(tolerance))" : "\(regressions.count) regression(s) beyond \(Format.percent(tolerance))")
        if !regressions.isEmpty { throw ExitCodes.regression }
    }
}

import ArgumentParser
import Foundation
import LoadCore

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "report", abstract: "Render report.html from a summary.json.")

    @Argument(help: "A summary.json.") var summary: String
    @Option(help: "Where to write the HTML.") var output: String = "report.html"

    func run() throws {
        let loaded = try ResultWriter.readSummary(summary)
        try HTMLReport.render(loaded).write(toFile: output, atomically: true, encoding: .utf8)
        print(TextSummary.render(loaded))
    }
}

import ArgumentParser
import Foundation
import Recommender
import RecommenderLab

/// `sessionrank train --events FILE [--output FILE] [--parameters JSON] [--metadata k=v]…`
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Build a model snapshot from a session file (SessionId<TAB>ItemId<TAB>Time, header line).")

    @Option(help: "Session file to learn from.")
    var events: String

    @Option(help: "Where to write the snapshot.")
    var output: String = "models/model.srmodel"

    @Option(help: "JSON file with ModelParameters (missing keys take their defaults).")
    var parameters: String?

    @Option(help: "Metadata stored in the snapshot, as key=value (repeatable).")
    var metadata: [String] = []

    func run() throws {
        var stored: [String: String] = [:]
        for pair in metadata {
            guard let equals = pair.firstIndex(of: "=") else { throw ValidationError("--metadata expects key=value, got \(pair)") }
            stored[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
        }
        var modelParameters = ModelParameters.default
        if let parameters {
            modelParameters = try JSONDecoder().decode(ModelParameters.self, from: Data(contentsOf: URL(fileURLWithPath: parameters)))
        }
        try EngineCommands.train(events: URL(fileURLWithPath: events), output: URL(fileURLWithPath: output),
                                 parameters: modelParameters, metadata: stored)
    }
}

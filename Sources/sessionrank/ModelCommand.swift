import ArgumentParser
import Foundation
import Recommender

/// `sessionrank model inspect SNAPSHOT`
struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model", abstract: "Model snapshot tools.", subcommands: [InspectModelCommand.self])
}

/// Prints what a snapshot holds: format, version, counters, metadata (with the Kafka offsets it
/// includes) and parameters. Exits non-zero, with the reason, for a corrupt file.
struct InspectModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inspect", abstract: "Print what a model snapshot holds.")

    @Argument(help: "The snapshot file (*.srmodel).")
    var snapshot: String

    func run() throws {
        let url = URL(fileURLWithPath: snapshot)
        let data = try Data(contentsOf: url)
        let model: SessionRankModel
        do { model = try SessionRankModel.load(from: data) } catch {
            throw ValidationError("\(snapshot) is not a valid snapshot: \(error)")
        }
        // Header: magic (8 bytes), then the format version as UInt16 little-endian.
        let format = Int(data[data.startIndex + 8]) | Int(data[data.startIndex + 9]) << 8
        let stats = model.stats
        print("snapshot:        \(url.path) (\(data.count) bytes)")
        print("format:          \(format)")
        print("model version:   m-\(stats.version)")
        print("sessions:        \(stats.sessions)")
        print("items:           \(stats.items)")
        print("events applied:  \(stats.eventsApplied)")
        print("feedback:        \(stats.feedbackApplied) examples, \(stats.rankerPositives) ranker positives")
        let newest = stats.latestEventTime > 0 ? ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: stats.latestEventTime)) : "none"
        print("newest event:    \(newest)")
        print("metadata:")
        for (key, value) in model.metadata.sorted(by: { $0.key < $1.key }) where key != "offsets" {
            print("  \(key): \(value)")
        }
        if let text = model.metadata["offsets"],
            let offsets = try? JSONDecoder().decode([String: Int64].self, from: Data(text.utf8))
        {
            print("  offsets (next to read):")
            for (partition, offset) in offsets.sorted(by: { $0.key < $1.key }) { print("    \(partition): \(offset)") }
        } else {
            print("  offsets: none (the server reads from the end of the log)")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        print("parameters:")
        print(String(decoding: try encoder.encode(model.parameters), as: UTF8.self))
    }
}

import Foundation
import SessionRankCore

/// The distinct item ids of a session file (`SessionId<TAB>ItemId<TAB>Time`, one header line).
enum SessionFileItems {
    static func read(path: String) throws -> [String] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError(field: "--sessions", "cannot read \(path): \(error.localizedDescription)")
        }
        var seen = Set<Substring>()
        var ordered: [String] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard columns.count >= 2 else {
                throw ConfigurationError(field: "--sessions", "line \(number + 1) of \(path) has no ItemId column")
            }
            if number == 0 && columns[1] == "ItemId" { continue }
            if seen.insert(columns[1]).inserted { ordered.append(String(columns[1])) }
        }
        return ordered
    }
}

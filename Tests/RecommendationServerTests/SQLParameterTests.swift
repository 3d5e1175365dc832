import Foundation
import Testing

/// PostgresNIO binds every `\(value)` of a `PostgresQuery` literal as a parameter, so SQL built
/// from text is only possible through `PostgresQuery(unsafeSQL:)` or a simple-query call. This
/// guards that those stay where they were reviewed: places that splice only identifiers and
/// placeholders written in the code, never a value from a request.
@Suite("SQL is parameterised only")
struct SQLParameterTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Sources").standardized

    /// File → why text-built SQL is safe there.
    static let reviewed: [String: String] = [
        "SessionRankAdapters/Postgres/DemoDataWriter.swift": "table and column names from code; every value is a $n bind",
        "SessionRankAdapters/Postgres/MigrationRunner.swift": "the static statements of Migrations.all",
    ]

    static let textSQLMarkers = ["unsafeSQL", "simpleQuery(", "PostgresQuery(stringLiteral"]

    @Test("text-built SQL appears only in the reviewed files")
    func onlyReviewedFilesBuildSQLFromText() throws {
        let enumerator = try #require(FileManager.default.enumerator(at: Self.sources, includingPropertiesForKeys: nil))
        var swiftFiles = 0
        var offenders: [String] = []
        var seenReviewed: Set<String> = []
        for case let url as URL in enumerator where url.pathExtension == "swift" {
            swiftFiles += 1
            let text = try String(contentsOf: url, encoding: .utf8)
            guard Self.textSQLMarkers.contains(where: text.contains) else { continue }
            let relative = String(url.standardized.path.dropFirst(Self.sources.path.count + 1))
            if Self.reviewed[relative] == nil { offenders.append(relative) } else { seenReviewed.insert(relative) }
        }
        #expect(swiftFiles > 50, "the scan found the sources")
        #expect(offenders.isEmpty, "SQL built from text outside the reviewed files: \(offenders)")
        // A reviewed file that no longer builds SQL from text should leave the list.
        #expect(seenReviewed == Set(Self.reviewed.keys))
    }
}

import Foundation
import Testing

/// The shared data sets, found next to the checkout (`<checkout>/../shared`) rather than at a
/// machine path, so a fresh clone beside `shared/` finds them. `SESSIONRANK_SHARED_DIR` points
/// elsewhere when the layout differs.
enum SharedData {
    /// This file is `<root>/Tests/RecommenderTests/SharedData.swift`.
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var sharedDirectory: URL {
        if let override = ProcessInfo.processInfo.environment["SESSIONRANK_SHARED_DIR"], !override.isEmpty {
            return URL(fileURLWithPath: override, isDirectory: true)
        }
        return packageRoot.appendingPathComponent("../shared", isDirectory: true).standardizedFileURL
    }

    static var serenadeExample: URL { sharedDirectory.appendingPathComponent("data/serenade-example", isDirectory: true) }

    static var serenadeAvailable: Bool {
        ["train.tsv", "test.tsv", "valid.tsv"].allSatisfy {
            FileManager.default.isReadableFile(atPath: serenadeExample.appendingPathComponent($0).path)
        }
    }

    /// CI runners set `CI` (usually to `true`); there a missing data set is a failure, not a skip.
    static var runningInCI: Bool {
        guard let value = ProcessInfo.processInfo.environment["CI"]?.lowercased() else { return false }
        return !["", "0", "false", "no"].contains(value)
    }

    /// Tests on the data run when it is there, and under CI also when it is not (and then fail).
    static var serenadeTestsEnabled: Bool { serenadeAvailable || runningInCI }

    static var skipComment: Comment {
        Comment(rawValue: "serenade example not found at \(serenadeExample.path) (set SESSIONRANK_SHARED_DIR); skipped outside CI")
    }

    /// Records a failure when the data is missing (only reached under CI) and says whether to go on.
    static func requireSerenade(sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        if serenadeAvailable { return true }
        Issue.record("CI is set but the serenade example is missing at \(serenadeExample.path): the accuracy gate cannot run", sourceLocation: sourceLocation)
        return false
    }
}

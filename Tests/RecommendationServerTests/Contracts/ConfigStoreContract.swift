import Foundation
import Testing

@testable import SessionRankCore

/// What every `ConfigStore` must do. It stores the newest version's own text again, so a
/// service started later serves the same config as before the run.
struct ConfigStoreContract {
    let store: any ConfigStore
    let run = UUID().uuidString.prefix(8).lowercased()

    func checkAll() async throws {
        let stored = try await appendsTheNewestVersionUnderTheExpectedVersion()
        try await refusesAStaleExpectedVersion(newest: stored)
        try await listsNewestFirstAndReadsOneVersion(newest: stored)
        try await storesAFileOnlyWhenItsTextChanged()
        try await keepsAnAuditLogNewestFirst()
    }

    func appendsTheNewestVersionUnderTheExpectedVersion() async throws -> RankingConfigVersion {
        let before = try await store.latest()
        let yaml = before?.yaml ?? ""
        let stored = try #require(
            try await store.append(
                yaml: yaml, author: "contract-\(run)", comment: "contract run \(run)", action: "update", expected: .some(before?.version)))
        #expect(stored.version > (before?.version ?? 0))
        #expect(stored.yaml == yaml)
        #expect(stored.digest == RankingConfigVersion.digest(of: yaml))
        #expect(stored.author == "contract-\(run)" && stored.comment == "contract run \(run)")
        #expect(try await store.latest() == stored)
        return stored
    }

    func refusesAStaleExpectedVersion(newest: RankingConfigVersion) async throws {
        let stale = newest.version - 1
        let error = await #expect(throws: ConfigStoreError.self) {
            try await store.append(yaml: newest.yaml, author: "contract-\(run)", comment: "stale", action: "update", expected: .some(stale))
        }
        guard case .versionMismatch(let current) = error else {
            Issue.record("a stale expected version is .versionMismatch; got \(String(describing: error))")
            return
        }
        #expect(current == newest.version)
        #expect(try await store.latest()?.version == newest.version, "nothing is stored on a mismatch")
    }

    func listsNewestFirstAndReadsOneVersion(newest: RankingConfigVersion) async throws {
        let listed = try await store.versions(limit: 2)
        #expect(listed.first?.version == newest.version)
        #expect(listed.map(\.version) == listed.map(\.version).sorted(by: >))
        #expect(listed.allSatisfy { $0.yaml.isEmpty }, "the list leaves the YAML out")
        #expect(try await store.versions(limit: 1, includeYAML: true).first == newest)
        #expect(try await store.version(newest.version) == newest)
        #expect(try await store.version(-1) == nil)
    }

    func storesAFileOnlyWhenItsTextChanged() async throws {
        let newest = try #require(try await store.latest())
        let source = "contract/\(run)/ranking.yaml"
        let first = try await store.append(yaml: newest.yaml, author: "file", comment: "from \(source)", action: "import", source: source)
        #expect(first != nil)
        let again = try await store.append(yaml: newest.yaml, author: "file", comment: "from \(source)", action: "import", source: source)
        #expect(again == nil, "the same text from the same file is stored once")
    }

    func keepsAnAuditLogNewestFirst() async throws {
        try await store.audit(actor: "contract-\(run)", action: "file_rejected", version: nil, detail: "contract \(run) one")
        try await store.audit(actor: "contract-\(run)", action: "file_rejected", version: 7, detail: "contract \(run) two")
        let log = try await store.auditLog(limit: 2)
        #expect(log.map(\.detail) == ["contract \(run) two", "contract \(run) one"])
        #expect(log.first?.version == 7 && log.first?.actor == "contract-\(run)")
    }
}

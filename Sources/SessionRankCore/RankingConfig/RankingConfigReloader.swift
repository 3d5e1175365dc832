import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Keeps this replica's ranking policy on the newest version in PostgreSQL, and turns a changed
/// ranking file into a new version. Every replica runs one, so a change made through any
/// replica's API, or to the file, reaches all of them within `interval`.
public final class RankingConfigReloader: Service, Sendable {
    private struct State {
        /// The stored version this replica serves (nil: the file read at start, nothing stored yet).
        var live: Int64?
        /// mtime and size of the file when last handled (inner nil: no file), so an unchanged
        /// file is not re-read; outer nil until the first round.
        var fileStamp: FileStamp?? = nil
        /// A stored version that did not validate here, so it is logged once, not every round.
        var refused: Int64?
    }

    private struct FileStamp: Equatable {
        var modified: Date
        var size: Int
    }

    public let store: any ConfigStore
    public let policy: PolicyHolder
    private let path: String
    private let interval: Duration
    private let logger: Logger
    private let state = Mutex(State())

    public init(store: any ConfigStore, policy: PolicyHolder, path: String, interval: Duration, logger: Logger) {
        self.store = store
        self.policy = policy
        self.path = path
        self.interval = interval
        self.logger = logger
    }

    public var liveVersion: Int64? { state.withLock { $0.live } }

    public func run() async throws {
        await runPeriodically(every: interval) { [self] in await sync() }
    }

    /// One round: import the file if it changed, then serve the newest stored version.
    /// Failures are logged; the last good policy stays.
    public func sync() async {
        do {
            try await importFileIfChanged()
            if let latest = try await store.latest() { activate(latest) }
        } catch {
            logger.warning("ranking config sync failed; keeping the live config", metadata: ["error": "\(error)"])
        }
    }

    /// Serves `version` unless this replica already serves it or a newer one. A stored version
    /// that no longer validates (say, after an upgrade) is refused and logged.
    @discardableResult
    public func activate(_ version: RankingConfigVersion) -> Bool {
        guard (liveVersion ?? 0) < version.version, state.withLock({ $0.refused }) != version.version else { return false }
        let parsed: RankingPolicy
        do { parsed = try RankingPolicy.parse(yaml: version.yaml) } catch {
            state.withLock { $0.refused = version.version }
            logger.error("stored ranking config does not validate; keeping the live config",
                         metadata: ["version": "\(version.version)", "error": "\(error)"])
            return false
        }
        return state.withLock { state in
            // Checked again under the lock: an API write may have activated a newer one meanwhile.
            guard (state.live ?? 0) < version.version else { return false }
            state.live = version.version
            policy.replace(with: parsed)
            logger.info("ranking config activated", metadata: ["version": "\(version.version)", "config": "\(parsed.version)"])
            return true
        }
    }

    private func importFileIfChanged() async throws {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        let stamp = attributes.map {
            FileStamp(modified: $0[.modificationDate] as? Date ?? .distantPast, size: ($0[.size] as? NSNumber)?.intValue ?? 0)
        }
        if let handled = state.withLock({ $0.fileStamp }), handled == stamp { return }
        try await importFile(exists: stamp != nil)
        // Remembered only once handled, so a failed store is retried on the next round.
        state.withLock { $0.fileStamp = .some(stamp) }
    }

    private func importFile(exists: Bool) async throws {
        guard exists, let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            // No file: the defaults become version 1 of an empty table, and nothing else changes.
            if try await store.latest() == nil {
                try await store.append(yaml: "", author: "file", comment: "defaults (no \(path))", action: "import", source: path)
            }
            return
        }
        do {
            _ = try RankingPolicy.parse(yaml: text)
        } catch {
            logger.error("ranking file does not validate; keeping the live config", metadata: ["path": "\(path)", "error": "\(error)"])
            try? await store.audit(actor: "file", action: "file_rejected", version: nil, detail: "\(path): \(error)")
            return
        }
        if let stored = try await store.append(yaml: text, author: "file", comment: "from \(path)", action: "import", source: path) {
            logger.info("ranking file stored as a new version", metadata: ["version": "\(stored.version)", "path": "\(path)"])
        }
    }
}

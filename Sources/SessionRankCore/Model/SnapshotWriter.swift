import Foundation
import Logging
import NIOPosix
import Recommender
import ServiceLifecycle

/// Writes the live model with the offsets it includes to `model-<UTC time>.srmodel` every
/// interval and once on shutdown (listed before the updater, so it stops after the updater's
/// last batch), and keeps the newest `kept` such files. Writes are atomic (temporary file, then
/// rename), so a crash never leaves a half-written snapshot under a snapshot name.
public final class SnapshotWriter: Service, Sendable {
    private let updater: any LearningLoop
    private let directory: URL
    private let interval: Duration
    private let kept: Int
    private let logger: Logger

    public init(updater: any LearningLoop, settings: ServiceConfiguration.ModelSettings, logger: Logger) {
        self.updater = updater
        self.directory = URL(fileURLWithPath: settings.snapshotDirectory)
        self.interval = .seconds(settings.snapshotIntervalSeconds)
        self.kept = settings.snapshotsKept
        self.logger = logger
    }

    public func run() async throws {
        // Serialising the model takes long enough to stall every request on an event loop, so
        // writes run on a thread of their own, below serving and learning in priority.
        let thread = NIOThreadPool(numberOfThreads: 1)
        thread.start()
        #if canImport(Glibc)
        try? await thread.runIfActive { _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10) }
        #endif
        await cancelWhenGracefulShutdown { [self] in
            while !Task.isCancelled {
                do { try await Task.sleep(for: interval) } catch { break }
                // Cancelled while queued (graceful shutdown): skipped, the final write follows.
                try? await thread.runIfActive { self.writeLogged() }
            }
        }
        // The final write must happen: on the pool, or here if the pool refuses it.
        do {
            try await thread.runIfActive { self.writeLogged() }
        } catch {
            writeLogged()
        }
        try? await thread.shutdownGracefully()
    }

    private func writeLogged() {
        let started = ContinuousClock.now
        do {
            if let url = try write() {
                let milliseconds = Int((ContinuousClock.now - started).milliseconds)
                logger.info("model snapshot written", metadata: ["snapshot": "\(url.path)", "milliseconds": "\(milliseconds)"])
            }
        } catch {
            logger.error("model snapshot failed", metadata: ["error": "\(error)"])
        }
    }

    /// Writes one snapshot now; nil when the updater has not started (its offsets are unknown).
    @discardableResult
    public func write(now: Date = Date()) throws -> URL? {
        guard let checkpoint = updater.checkpoint() else { return nil }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var metadata = checkpoint.model.metadata
        metadata[SnapshotOffsets.metadataKey] = SnapshotOffsets.encode(checkpoint.offsets)
        metadata["writtenAt"] = Self.stamp(now)
        var url = directory.appendingPathComponent("model-\(Self.stamp(now)).srmodel")
        var suffix = 1
        while FileManager.default.fileExists(atPath: url.path) {
            url = directory.appendingPathComponent("model-\(Self.stamp(now))-\(suffix).srmodel")
            suffix += 1
        }
        try checkpoint.model.write(to: url, metadata: metadata)
        prune()
        return url
    }

    /// Deletes all but the newest `kept` snapshots this writer names (other files are left alone).
    private func prune() {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { $0.hasPrefix("model-") && $0.hasSuffix(".srmodel") }
            .sorted(by: >)
        for name in names.dropFirst(kept) {
            try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))
        }
    }

    /// Sortable UTC time with milliseconds, e.g. 20261123T121314.567Z.
    static func stamp(_ date: Date) -> String {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        let seconds = Date(timeIntervalSince1970: Double(millis / 1000))
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss"
        return "\(formatter.string(from: seconds)).\(String(format: "%03d", Int(millis % 1000)))Z"
    }
}

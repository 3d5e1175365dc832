import Foundation
import Logging
import Recommender

/// The model this replica serves, and where it came from. `/health/ready` reports the origin,
/// responses carry the version.
public struct LiveModel: Sendable {
    public enum Origin: Sendable, Equatable, CustomStringConvertible {
        case snapshot(path: String)
        case demoBootstrap(sessions: Int)
        /// Nothing to load: recommendations fall back to popularity until events arrive.
        case empty

        public var description: String {
            switch self {
            case .snapshot(let path): "snapshot \(path)"
            case .demoBootstrap(let sessions): "bootstrapped from \(sessions) demo sessions"
            case .empty: "empty (popularity fallback)"
            }
        }
    }

    public let model: SessionRankModel
    public let origin: Origin

    /// The live model is usable once it has learned any event; before that answers come from the catalog.
    public var hasLearned: Bool { model.stats.eventsApplied > 0 }

    /// Loads the newest valid snapshot in `settings.snapshotDirectory`; skips corrupt ones with a
    /// warning; with none, learns generated demo sessions when configured, else starts empty.
    public static func load(settings: ServiceConfiguration.ModelSettings, logger: Logger) -> LiveModel {
        let directory = URL(fileURLWithPath: settings.snapshotDirectory)
        let files = (try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: [.contentModificationDateKey])) ?? []
        let snapshots = files.filter { $0.pathExtension == "srmodel" }.sorted { a, b in
            let dateA = (try? a.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate) ?? .distantPast
            let dateB = (try? b.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate) ?? .distantPast
            return (dateA, a.lastPathComponent) > (dateB, b.lastPathComponent)
        }
        for file in snapshots {
            do {
                let model = try SessionRankModel.load(from: file)
                logger.info("model loaded", metadata: ["snapshot": "\(file.path)", "version": "\(model.version)"])
                return LiveModel(model: model, origin: .snapshot(path: file.path))
            } catch {
                logger.warning("snapshot skipped", metadata: ["snapshot": "\(file.path)", "error": "\(error)"])
            }
        }
        let model = SessionRankModel()
        guard settings.bootstrapDemoSessions > 0 else {
            logger.warning("no model snapshot; starting empty with the popularity fallback")
            return LiveModel(model: model, origin: .empty)
        }
        let products = DemoDataGenerator().products()
        let generator = DemoSessionGenerator(products: products)
        model.updateCatalog(CatalogSnapshot(products: products).engineCatalog)
        model.apply(contentsOf: generator.events(sessions: settings.bootstrapDemoSessions))
        logger.info("model bootstrapped from demo sessions", metadata: ["sessions": "\(settings.bootstrapDemoSessions)"])
        return LiveModel(model: model, origin: .demoBootstrap(sessions: settings.bootstrapDemoSessions))
    }
}

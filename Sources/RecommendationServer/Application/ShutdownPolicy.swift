import Hummingbird
import Logging
import ServiceLifecycle
import SessionRankAdapters
import SessionRankCore

/// Runs the application until SIGTERM or SIGINT, then shuts it down gracefully: the HTTP server
/// stops accepting and finishes the requests in flight, then the other services stop in reverse
/// order (model updater, final snapshot, Kafka flush, clients). If that takes longer than
/// `shutdown.deadlineSeconds`, what is left is cancelled; if cancellation hangs too, the
/// process stops after a few more seconds rather than never.
public func runUntilTerminated(_ application: some ApplicationProtocol, settings: ServiceConfiguration.ShutdownSettings, logger: Logger) async throws {
    var configuration = ServiceGroupConfiguration(
        services: [.init(service: application)],
        gracefulShutdownSignals: [.sigterm, .sigint],
        logger: logger)
    configuration.maximumGracefulShutdownDuration = .seconds(settings.deadlineSeconds)
    configuration.maximumCancellationDuration = .seconds(5)
    let started = ContinuousClock.now
    try await ServiceGroup(configuration: configuration).run()
    logger.notice("stopped", metadata: ["uptime": "\(ContinuousClock.now - started)"])
}

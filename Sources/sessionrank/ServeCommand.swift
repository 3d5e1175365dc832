import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus
import RecommendationServer
import SessionRankAdapters
import SessionRankCore

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the HTTP service.")

    @OptionGroup var options: ConfigurationOptions

    func run() async throws {
        let configuration = try loadConfiguration(options)
        do {
            try configuration.privacy.refuseDevelopmentSecret(environment: ProcessInfo.processInfo.environment)
        } catch {
            throw ValidationError("configuration: \(error)")
        }
        LoggingSetup.bootstrap(configuration.logging, pseudonymizer: Pseudonymizer(secret: configuration.privacy.pseudonymSecret))
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let logger = Logger(label: "sessionrank")
        let app = try buildApplication(configuration: configuration, metricsRegistry: registry, logger: logger)
        try await runUntilTerminated(app, settings: configuration.shutdown, logger: logger)
    }
}

/// Loads and validates the configuration, turning a bad setting into a clear exit message.
func loadConfiguration(_ options: ConfigurationOptions) throws -> ServiceConfiguration {
    do {
        return try ServiceConfiguration.load(file: options.config)
    } catch let error as ConfigurationError {
        throw ValidationError("configuration: \(error)")
    }
}


import Hummingbird
import Logging
import Metrics
import PostgresNIO
import Prometheus
import ServiceLifecycle

/// What the routes need. Tests build the same router from the same dependencies.
public struct ServerDependencies: Sendable {
    public var configuration: ServiceConfiguration
    public var metricsRegistry: PrometheusCollectorRegistry
    public var readiness: ReadinessProbe

    public init(configuration: ServiceConfiguration, metricsRegistry: PrometheusCollectorRegistry, readiness: ReadinessProbe) {
        self.configuration = configuration
        self.metricsRegistry = metricsRegistry
        self.readiness = readiness
    }
}

public typealias AppRequestContext = BasicRequestContext

/// Builds the router: every public and operational endpoint.
public func buildRouter(_ dependencies: ServerDependencies) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: MetricsMiddleware())
    HealthRoutes(probe: dependencies.readiness).register(in: router)
    MetricsEndpoint(registry: dependencies.metricsRegistry).register(in: router)
    return router
}

/// Builds the whole service: clients for every dependency, each run as a `Service`
/// by the application's service group, so SIGTERM drains them in reverse order.
public func buildApplication(
    configuration: ServiceConfiguration,
    metricsRegistry: PrometheusCollectorRegistry,
    logger: Logger
) throws -> some ApplicationProtocol {
    let postgres = try makePostgresClient(configuration.postgres, logger: logger)
    let readiness = ReadinessProbe(
        checks: [PostgresHealthCheck(client: postgres)],
        timeout: .milliseconds(configuration.health.checkTimeoutMilliseconds)
    )
    let dependencies = ServerDependencies(configuration: configuration, metricsRegistry: metricsRegistry, readiness: readiness)
    return Application(
        router: buildRouter(dependencies),
        configuration: .init(
            address: .hostname(configuration.http.host, port: configuration.http.port),
            serverName: "sessionrank"
        ),
        services: [postgres],
        logger: logger
    )
}

/// A pooled PostgreSQL client; run it as a service before querying.
public func makePostgresClient(_ settings: ServiceConfiguration.PostgresSettings, logger: Logger) throws -> PostgresClient {
    let connection = try PostgresConnectionSettings(url: settings.url)
    var configuration = PostgresClient.Configuration(
        host: connection.host, port: connection.port, username: connection.username,
        password: connection.password, database: connection.database, tls: .disable
    )
    configuration.options.maximumConnections = settings.poolSize
    configuration.options.connectTimeout = .milliseconds(max(settings.queryTimeoutMilliseconds * 10, 1_000))
    return PostgresClient(configuration: configuration, backgroundLogger: logger)
}

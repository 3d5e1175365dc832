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
    let clients = try Clients(configuration: configuration, logger: logger)
    let checkTimeout = Duration.milliseconds(configuration.health.checkTimeoutMilliseconds)
    let readiness = ReadinessProbe(
        checks: [
            RedisHealthCheck(client: clients.redis),
            PostgresHealthCheck(client: clients.postgres),
            KafkaHealthCheck(producer: clients.kafka, timeout: checkTimeout),
        ],
        timeout: checkTimeout
    )
    let dependencies = ServerDependencies(configuration: configuration, metricsRegistry: metricsRegistry, readiness: readiness)
    return Application(
        router: buildRouter(dependencies),
        configuration: .init(
            address: .hostname(configuration.http.host, port: configuration.http.port),
            serverName: "sessionrank"
        ),
        services: [clients.redis, clients.postgres, clients.kafka],
        logger: logger
    )
}

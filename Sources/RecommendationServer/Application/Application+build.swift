import Foundation
import HTTPTypes
import Hummingbird
import KafkaClient
import Logging
import Metrics
import NIOCore
import PostgresNIO
import Prometheus
import ServiceLifecycle
import SessionRankAdapters
import SessionRankCore

/// What the routes need. Tests build the same router from the same dependencies.
public struct ServerDependencies: Sendable {
    public var configuration: ServiceConfiguration
    public var metrics: ServiceMetrics
    public var readiness: ReadinessProbe
    public var ingestor: EventIngestor
    public var sessions: any SessionStore
    public var users: any UserStore
    public var enricher: EventEnricher
    public var catalog: ProductCatalog
    public var recommender: RecommendationService
    public var feedback: any FeedbackPublisher
    /// The admin API's view of the ranking config; nil leaves `/admin` out.
    public var rankingConfig: RankingConfigReloader? = nil
    public var experiments: ExperimentTracker? = nil
    public var kpis: LiveKPIs? = nil
    /// Replays of draft configs on the recent log; nil leaves `/admin/v1/replay` out.
    public var replay: ReplayRunner? = nil
}

/// Builds the router: every public and operational endpoint.
public func buildRouter(_ dependencies: ServerDependencies) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    let configuration = dependencies.configuration
    let origins = Set(configuration.http.corsAllowedOrigins.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
    if !origins.isEmpty { router.add(middleware: CORSPolicyMiddleware(allowedOrigins: origins)) }
    router.add(middleware: RequestIDMiddleware())
    if configuration.rateLimit.requestsPerSecond > 0 {
        router.add(middleware: RateLimitMiddleware(
            limiter: RateLimiter(requestsPerSecond: configuration.rateLimit.requestsPerSecond, burst: configuration.rateLimit.burst),
            clientHeader: configuration.rateLimit.clientHeader.isEmpty ? nil : HTTPField.Name(configuration.rateLimit.clientHeader)))
    }
    router.add(middleware: MetricsMiddleware())
    let pseudonymizer = Pseudonymizer(secret: configuration.privacy.pseudonymSecret)
    router.add(middleware: AccessLogMiddleware(pseudonymizer: pseudonymizer))
    // One token list for the admin API and the privacy endpoints; the role decides what a token reaches.
    let auth = AdminAuthenticator(tokens: configuration.admin.tokens)
    let storefront = StorefrontAuthenticator(tokens: auth, settings: configuration.storefront)
    HealthRoutes(probe: dependencies.readiness).register(in: router)
    MetricsEndpoint(registry: dependencies.metrics.registry).register(in: router)
    EventRoutes(ingestor: dependencies.ingestor, auth: storefront, maxBodyBytes: dependencies.configuration.http.maxBodyBytes).register(in: router)
    PrivacyRoutes(
        auth: auth, sessions: dependencies.sessions, users: dependencies.users, enricher: dependencies.enricher,
        sessionSettings: dependencies.configuration.sessions, pseudonymizer: pseudonymizer
    ).register(in: router)
    RecommendRoutes(
        service: dependencies.recommender, auth: storefront, feedback: dependencies.feedback, metrics: dependencies.metrics,
        limits: dependencies.configuration.events, settings: dependencies.configuration.recommend,
        maxBodyBytes: dependencies.configuration.http.maxBodyBytes, pseudonymizer: pseudonymizer
    ).register(in: router)
    OpenAPIRoute().register(in: router)
    if let reloader = dependencies.rankingConfig {
        AdminRoutes(
            auth: auth, reloader: reloader, recommender: dependencies.recommender,
            experiments: dependencies.experiments, kpis: dependencies.kpis,
            maxBodyBytes: configuration.http.maxBodyBytes)
            .register(in: router)
        AdminPage().register(in: router)
        if let runner = dependencies.replay {
            ReplayRoutes(auth: auth, reloader: reloader, runner: runner, maxBodyBytes: configuration.http.maxBodyBytes)
                .register(in: router)
        }
    }
    // Last: it then wraps only the not-found responder, and knows every route.
    router.add(middleware: UnmatchedRouteMiddleware(routes: router.routes.map { ("\($0.path)", $0.method) }))
    return router
}

/// Everything the service runs: the dependencies of the routes and the background services.
public struct ServerComponents: Sendable {
    public private(set) var dependencies: ServerDependencies
    public let services: [any Service]
    public let catalogRefresher: CatalogRefresher
    public let model: LiveModel
    public let modelUpdater: ModelUpdater
    public let snapshotWriter: SnapshotWriter
    public let rankingConfig: RankingConfigReloader
    /// Evicts profiles on consent changes and erasures made through any replica.
    public let profileChanges: ProfileChangeListener
    /// The producer of `POST /v1/events` (its queue depth and delivery counts are what fault tests watch).
    public let kafka: KafkaProducer
    /// The producer of page views, served and feedback records.
    public let bestEffortKafka: KafkaProducer

    public init(configuration: ServiceConfiguration, metricsRegistry: PrometheusCollectorRegistry, logger: Logger) throws {
        let clients = try Clients(configuration: configuration, logger: logger)
        kafka = clients.kafka
        bestEffortKafka = clients.bestEffortKafka
        let metrics = ServiceMetrics(registry: metricsRegistry)
        let catalog = ProductCatalog()
        let model = LiveModel.load(settings: configuration.model, logger: logger)
        self.model = model
        let policy = PolicyHolder(try RankingPolicy.load(path: configuration.recommend.rankingPath))
        // Until the first catalogue load every item would look unknown; the engine's own item cap still holds.
        let catalogueOnly = configuration.model.learnCatalogItemsOnly
        let isKnownItem: @Sendable (String) -> Bool = { itemId in
            !catalogueOnly || !catalog.isLoaded || catalog.snapshot.products[itemId] != nil
        }
        let modelUpdater = ModelUpdater(
            model: model, settings: configuration.kafka, rankingConfig: { policy.current.engine },
            flushInterval: .milliseconds(configuration.model.publishIntervalMilliseconds),
            isKnownItem: isKnownItem, logger: logger)
        self.modelUpdater = modelUpdater
        snapshotWriter = SnapshotWriter(updater: modelUpdater, settings: configuration.model, logger: logger)
        let checkTimeout = Duration.milliseconds(configuration.health.checkTimeoutMilliseconds)
        let readiness = ReadinessProbe(
            checks: [
                RedisHealthCheck(client: clients.redis),
                PostgresHealthCheck(client: clients.postgres),
                KafkaHealthCheck(producer: clients.kafka, timeout: checkTimeout),
                CatalogHealthCheck(catalog: catalog),
            ],
            timeout: checkTimeout,
            model: model,
            updater: configuration.model.learnFromLog ? modelUpdater : nil
        )
        let compliance = try ComplianceGate.load(path: configuration.recommend.compliancePath)
        let pseudonymizer = Pseudonymizer(secret: configuration.privacy.pseudonymSecret)
        let experiments = ExperimentTracker(registry: metricsRegistry)
        let kpis = LiveKPIs()
        let feedback = ExperimentFeedbackPublisher(
            base: KafkaFeedbackPublisher(producer: clients.bestEffortKafka, topic: configuration.kafka.feedbackTopic, metrics: metrics, logger: logger),
            tracker: experiments, kpis: kpis)
        let sessions = RedisSessionStore(redis: clients.redis, settings: configuration.sessions)
        let enricher = EventEnricher(
            source: PostgresEnrichmentSource(client: clients.postgres, logger: logger),
            cacheCapacity: configuration.enrichment.cacheCapacity,
            cacheTTL: .seconds(configuration.enrichment.cacheTTLSeconds),
            budget: .milliseconds(configuration.enrichment.budgetMilliseconds),
            logger: logger
        )
        profileChanges = ProfileChangeListener(
            configuration: try makePostgresConnectionConfiguration(configuration.postgres), enricher: enricher, metrics: metrics,
            logger: logger)
        let sessionBudget = Duration.milliseconds(configuration.redis.commandTimeoutMilliseconds * 2)
        let ingestor = EventIngestor(
            decoder: EventBatchDecoder(limits: configuration.events),
            enricher: enricher,
            sessions: sessions,
            publisher: KafkaEventPublisher(
                producer: clients.kafka, topic: configuration.kafka.eventsTopic, capacity: configuration.kafka.queueMaxMessages,
                logger: logger),
            pageViewPublisher: KafkaEventPublisher(
                producer: clients.bestEffortKafka, topic: configuration.kafka.eventsTopic, capacity: configuration.kafka.queueMaxMessages,
                logger: logger),
            catalog: catalog,
            settings: configuration.sessions,
            pseudonymizer: pseudonymizer,
            feedback: feedback,
            metrics: metrics,
            sessionBudget: sessionBudget,
            ackBudget: .milliseconds(configuration.events.ackTimeoutMilliseconds),
            confirmer: PublishConfirmer(sessions: sessions, metrics: metrics, logger: logger),
            logger: logger
        )
        catalogRefresher = CatalogRefresher(
            catalog: catalog, source: PostgresCatalogSource(client: clients.postgres, logger: logger),
            interval: .seconds(configuration.catalog.refreshSeconds), logger: logger,
            onRefresh: { snapshot in model.model.updateCatalog(snapshot.engineCatalog) })
        let recommender = RecommendationService(
            sessions: sessions, enricher: enricher, ingestor: ingestor, catalog: catalog, model: model, policy: policy,
            compliance: compliance, feedback: feedback, pseudonymizer: pseudonymizer, metrics: metrics,
            settings: configuration.recommend, sessionSettings: configuration.sessions, logger: logger)
        dependencies = ServerDependencies(
            configuration: configuration, metrics: metrics, readiness: readiness, ingestor: ingestor, sessions: sessions,
            users: PostgresUserStore(client: clients.postgres, logger: logger), enricher: enricher, catalog: catalog,
            recommender: recommender, feedback: feedback)
        rankingConfig = RankingConfigReloader(
            store: RankingConfigStore(client: clients.postgres, logger: logger), policy: policy,
            path: configuration.recommend.rankingPath, interval: .seconds(configuration.admin.reloadSeconds), logger: logger)
        dependencies.rankingConfig = rankingConfig
        dependencies.experiments = experiments
        dependencies.kpis = kpis
        dependencies.replay = ReplayRunner(
            history: KafkaEventHistory(settings: configuration.kafka, logger: logger), service: recommender,
            budgetSeconds: configuration.admin.replayBudgetSeconds, logger: logger)
        var services: [any Service] = [
            clients.redis, clients.postgres, clients.kafka, clients.bestEffortKafka,
            KafkaMetricsCollector(producers: [clients.kafka, clients.bestEffortKafka], metrics: metrics),
            catalogRefresher, rankingConfig, profileChanges,
            ModelMetricsCollector(model: model, metrics: metrics, updater: configuration.model.learnFromLog ? modelUpdater : nil),
        ]
        if configuration.model.learnFromLog {
            // Shutdown runs in reverse: the updater applies its last batch before the final snapshot.
            services += [snapshotWriter, modelUpdater]
        }
        self.services = services
    }
}

/// Builds the whole service: clients for every dependency, each run as a `Service` by the
/// application's service group, so SIGTERM drains them after the HTTP server stops.
public func buildApplication(
    configuration: ServiceConfiguration,
    metricsRegistry: PrometheusCollectorRegistry,
    logger: Logger
) throws -> some ApplicationProtocol {
    let components = try ServerComponents(configuration: configuration, metricsRegistry: metricsRegistry, logger: logger)
    return buildApplication(components: components, logger: logger)
}

/// The application around already-built components; tests use it to reach the components.
public func buildApplication(components: ServerComponents, logger: Logger) -> some ApplicationProtocol {
    let configuration = components.dependencies.configuration
    // Admission control sits in each connection's pipeline (see AdmissionChannelHandler).
    let limiter = configuration.http.maxInFlightRequests > 0
        ? InFlightLimiter(limit: configuration.http.maxInFlightRequests, endpoints: AdmissionEndpoints.all) : nil
    let metrics = components.dependencies.metrics
    return Application(
        router: buildRouter(components.dependencies),
        server: .http1(configuration: .init(additionalChannelHandlers: limiter.map { limiter in
            [AdmissionChannelHandler(limiter: limiter, onShed: { metrics.requestsShed[$0]?.increment() })]
        } ?? [])),
        configuration: .init(
            address: .hostname(configuration.http.host, port: configuration.http.port),
            serverName: "sessionrank",
            // A flood of new connections waits in the kernel while the loops are busy, and is
            // then answered or shed; a short queue would drop them unanswered (kernel caps it).
            backlog: 4_096
        ),
        services: components.services,
        logger: logger
    )
}

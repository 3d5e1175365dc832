import Foundation

extension ServiceConfiguration {
    /// Loads the service configuration from a YAML file (optional) and the environment.
    /// Environment variables win over the file, so one file serves every replica.
    public static func load(
        file: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> ServiceConfiguration {
        var yaml = ""
        if let file {
            do {
                yaml = try String(contentsOfFile: file, encoding: .utf8)
            } catch {
                throw ConfigurationError(field: "<file>", "cannot read \(file): \(error.localizedDescription)")
            }
        }
        return try parse(yaml: yaml, environment: environment)
    }

    public static func parse(yaml: String, environment: [String: String] = [:]) throws -> ServiceConfiguration {
        // Short names used by the scripts and the tests, kept for convenience.
        var environment = environment
        let aliases = [
            "SESSIONRANK_KAFKA_BOOTSTRAP": "SESSIONRANK_KAFKA_BOOTSTRAP_SERVERS",
            "SESSIONRANK_LOG_LEVEL": "SESSIONRANK_LOGGING_LEVEL",
        ]
        for (alias, name) in aliases where environment[name] == nil {
            environment[name] = environment[alias]
        }

        let root = try ConfigSection.parse(yaml: yaml, environment: environment)
        let defaults = ServiceConfiguration()
        var configuration = ServiceConfiguration()

        let http = try root.section("http")
        configuration.http.host = try http.string("host", default: defaults.http.host)
        configuration.http.port = try http.int("port", default: defaults.http.port, in: 0...65_535)
        configuration.http.maxBodyBytes = try http.int("maxBodyBytes", default: defaults.http.maxBodyBytes, in: 1_024...67_108_864)
        configuration.http.corsAllowedOrigins = try http.string("corsAllowedOrigins", default: defaults.http.corsAllowedOrigins)
        configuration.http.maxInFlightRequests = try http.int(
            "maxInFlightRequests", default: defaults.http.maxInFlightRequests, in: 0...1_000_000)
        try http.rejectUnknownKeys()

        let rateLimit = try root.section("rateLimit")
        configuration.rateLimit.requestsPerSecond = try rateLimit.double(
            "requestsPerSecond", default: defaults.rateLimit.requestsPerSecond, in: 0...1_000_000)
        configuration.rateLimit.burst = try rateLimit.int("burst", default: defaults.rateLimit.burst, in: 1...10_000_000)
        configuration.rateLimit.clientHeader = try rateLimit.string("clientHeader", default: defaults.rateLimit.clientHeader)
        if !configuration.rateLimit.clientHeader.isEmpty && !Self.isHeaderName(configuration.rateLimit.clientHeader) {
            throw ConfigurationError(field: "rateLimit.clientHeader", "must be an HTTP header name such as X-Forwarded-For")
        }
        try rateLimit.rejectUnknownKeys()

        configuration.redis = try RedisSettings(try root.section("redis"), defaults: defaults.redis)

        let postgres = try root.section("postgres")
        configuration.postgres.url = try postgres.string("url", default: defaults.postgres.url)
        configuration.postgres.poolSize = try postgres.int("poolSize", default: defaults.postgres.poolSize, in: 1...256)
        configuration.postgres.queryTimeoutMilliseconds = try postgres.int(
            "queryTimeoutMilliseconds", default: defaults.postgres.queryTimeoutMilliseconds, in: 1...60_000)
        try postgres.rejectUnknownKeys()
        _ = try PostgresConnectionSettings(url: configuration.postgres.url, field: "postgres.url")

        let kafka = try root.section("kafka")
        configuration.kafka.bootstrapServers = try kafka.string("bootstrapServers", default: defaults.kafka.bootstrapServers)
        configuration.kafka.eventsTopic = try kafka.string("eventsTopic", default: defaults.kafka.eventsTopic)
        configuration.kafka.feedbackTopic = try kafka.string("feedbackTopic", default: defaults.kafka.feedbackTopic)
        configuration.kafka.clientId = try kafka.string("clientId", default: defaults.kafka.clientId)
        configuration.kafka.queueMaxMessages = try kafka.int(
            "queueMaxMessages", default: defaults.kafka.queueMaxMessages, in: 1...10_000_000)
        configuration.kafka.messageTimeoutMilliseconds = try kafka.int(
            "messageTimeoutMilliseconds", default: defaults.kafka.messageTimeoutMilliseconds, in: 1_000...86_400_000)
        configuration.kafka.shutdownFlushTimeoutMilliseconds = try kafka.int(
            "shutdownFlushTimeoutMilliseconds", default: defaults.kafka.shutdownFlushTimeoutMilliseconds, in: 0...600_000)
        configuration.kafka.lingerMilliseconds = try kafka.int("lingerMilliseconds", default: defaults.kafka.lingerMilliseconds, in: 0...1_000)
        configuration.kafka.bestEffortLingerMilliseconds = try kafka.int(
            "bestEffortLingerMilliseconds", default: defaults.kafka.bestEffortLingerMilliseconds, in: 0...1_000)
        configuration.kafka.securityProtocol = try kafka.string(
            "securityProtocol", default: defaults.kafka.securityProtocol, allowed: ["plaintext", "ssl", "sasl_plaintext", "sasl_ssl"])
        configuration.kafka.saslMechanism = try kafka.string(
            "saslMechanism", default: defaults.kafka.saslMechanism, allowed: ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"])
        configuration.kafka.saslUsername = try kafka.string("saslUsername", default: defaults.kafka.saslUsername)
        configuration.kafka.saslPassword = try kafka.string("saslPassword", default: defaults.kafka.saslPassword)
        configuration.kafka.sslCaLocation = try kafka.string("sslCaLocation", default: defaults.kafka.sslCaLocation)
        try kafka.rejectUnknownKeys()
        if configuration.kafka.securityProtocol.hasPrefix("sasl_") {
            for (field, value) in [("kafka.saslUsername", configuration.kafka.saslUsername), ("kafka.saslPassword", configuration.kafka.saslPassword)]
            where value.isEmpty {
                throw ConfigurationError(field: field, "must be set when kafka.securityProtocol is \(configuration.kafka.securityProtocol)")
            }
        }
        if configuration.kafka.bootstrapServers.split(separator: ",").contains(where: { !$0.contains(":") }) {
            throw ConfigurationError(
                field: "kafka.bootstrapServers", "must be a comma-separated list of host:port; got \"\(configuration.kafka.bootstrapServers)\"")
        }
        for (field, topic) in [("kafka.eventsTopic", configuration.kafka.eventsTopic), ("kafka.feedbackTopic", configuration.kafka.feedbackTopic)] {
            try requireTopicName(topic, field: field)
        }

        let logging = try root.section("logging")
        configuration.logging.level = try logging.string(
            "level", default: defaults.logging.level,
            allowed: ["trace", "debug", "info", "notice", "warning", "error", "critical"])
        configuration.logging.format = try logging.string("format", default: defaults.logging.format, allowed: ["json", "text"])
        try logging.rejectUnknownKeys()

        let health = try root.section("health")
        configuration.health.checkTimeoutMilliseconds = try health.int(
            "checkTimeoutMilliseconds", default: defaults.health.checkTimeoutMilliseconds, in: 1...60_000)
        try health.rejectUnknownKeys()

        let events = try root.section("events")
        configuration.events.maxBatchSize = try events.int("maxBatchSize", default: defaults.events.maxBatchSize, in: 1...5_000)
        configuration.events.maxIdLength = try events.int("maxIdLength", default: defaults.events.maxIdLength, in: 8...1_024)
        configuration.events.maxFutureSkewSeconds = try events.double(
            "maxFutureSkewSeconds", default: defaults.events.maxFutureSkewSeconds, in: 0...86_400)
        configuration.events.maxAgeSeconds = try events.double("maxAgeSeconds", default: defaults.events.maxAgeSeconds, in: 60...31_536_000)
        configuration.events.ackTimeoutMilliseconds = try events.int(
            "ackTimeoutMilliseconds", default: defaults.events.ackTimeoutMilliseconds, in: 10...60_000)
        try events.rejectUnknownKeys()

        let sessions = try root.section("sessions")
        configuration.sessions.idleTimeoutSeconds = try sessions.int(
            "idleTimeoutSeconds", default: defaults.sessions.idleTimeoutSeconds, in: 60...604_800)
        configuration.sessions.interestHalfLifeSeconds = try sessions.double(
            "interestHalfLifeSeconds", default: defaults.sessions.interestHalfLifeSeconds, in: 1...2_592_000)
        configuration.sessions.recentItemLimit = try sessions.int("recentItemLimit", default: defaults.sessions.recentItemLimit, in: 1...1_000)
        configuration.sessions.maxEventsPerSession = try sessions.int(
            "maxEventsPerSession", default: defaults.sessions.maxEventsPerSession, in: 10...1_000_000)
        configuration.sessions.maxCartItems = try sessions.int("maxCartItems", default: defaults.sessions.maxCartItems, in: 1...10_000)
        configuration.sessions.maxPurchasedItems = try sessions.int(
            "maxPurchasedItems", default: defaults.sessions.maxPurchasedItems, in: 1...10_000)
        configuration.sessions.userLinkTTLSeconds = try sessions.int(
            "userLinkTTLSeconds", default: defaults.sessions.userLinkTTLSeconds, in: 60...31_536_000)
        configuration.sessions.referenceDwellMilliseconds = try sessions.double(
            "referenceDwellMilliseconds", default: defaults.sessions.referenceDwellMilliseconds, in: 100...3_600_000)
        let weights = try sessions.section("eventWeights")
        for type in StorefrontEventType.allCases {
            let weight = try weights.double(type.rawValue, default: defaults.sessions.eventWeights[type.rawValue] ?? 0, in: -100...100)
            configuration.sessions.eventWeights[type.rawValue] = weight == 0 ? nil : weight
        }
        try weights.rejectUnknownKeys()
        try sessions.rejectUnknownKeys()

        let enrichment = try root.section("enrichment")
        configuration.enrichment.budgetMilliseconds = try enrichment.int(
            "budgetMilliseconds", default: defaults.enrichment.budgetMilliseconds, in: 1...10_000)
        configuration.enrichment.cacheCapacity = try enrichment.int("cacheCapacity", default: defaults.enrichment.cacheCapacity, in: 1...10_000_000)
        configuration.enrichment.cacheTTLSeconds = try enrichment.int("cacheTTLSeconds", default: defaults.enrichment.cacheTTLSeconds, in: 0...86_400)
        try enrichment.rejectUnknownKeys()

        let catalog = try root.section("catalog")
        configuration.catalog.refreshSeconds = try catalog.int("refreshSeconds", default: defaults.catalog.refreshSeconds, in: 1...86_400)
        try catalog.rejectUnknownKeys()

        let privacy = try root.section("privacy")
        configuration.privacy.pseudonymSecret = try privacy.string("pseudonymSecret", default: defaults.privacy.pseudonymSecret)
        if configuration.privacy.pseudonymSecret.utf8.count < 16 {
            throw ConfigurationError(field: "privacy.pseudonymSecret", "must be at least 16 characters")
        }
        try privacy.rejectUnknownKeys()

        let recommend = try root.section("recommend")
        configuration.recommend.budgetMilliseconds = try recommend.int(
            "budgetMilliseconds", default: defaults.recommend.budgetMilliseconds, in: 1...10_000)
        configuration.recommend.sessionTimeoutMilliseconds = try recommend.int(
            "sessionTimeoutMilliseconds", default: defaults.recommend.sessionTimeoutMilliseconds, in: 1...10_000)
        configuration.recommend.profileTimeoutMilliseconds = try recommend.int(
            "profileTimeoutMilliseconds", default: defaults.recommend.profileTimeoutMilliseconds, in: 1...10_000)
        configuration.recommend.maxLimit = try recommend.int("maxLimit", default: defaults.recommend.maxLimit, in: 1...1_000)
        configuration.recommend.defaultLimit = try recommend.int(
            "defaultLimit", default: defaults.recommend.defaultLimit, in: 1...configuration.recommend.maxLimit)
        configuration.recommend.compliancePath = try recommend.string("compliancePath", default: defaults.recommend.compliancePath)
        configuration.recommend.rankingPath = try recommend.string("rankingPath", default: defaults.recommend.rankingPath)
        try recommend.rejectUnknownKeys()
        for (field, value) in [
            ("sessionTimeoutMilliseconds", configuration.recommend.sessionTimeoutMilliseconds),
            ("profileTimeoutMilliseconds", configuration.recommend.profileTimeoutMilliseconds),
        ] where value > configuration.recommend.budgetMilliseconds {
            throw ConfigurationError(
                field: "recommend.\(field)",
                "must be at most recommend.budgetMilliseconds (\(configuration.recommend.budgetMilliseconds)); got \(value)")
        }
        // The profile is looked up before the page view is stored and its session read back.
        let (session, profile) = (configuration.recommend.sessionTimeoutMilliseconds, configuration.recommend.profileTimeoutMilliseconds)
        if session + profile > configuration.recommend.budgetMilliseconds {
            throw ConfigurationError(
                field: "recommend.sessionTimeoutMilliseconds",
                "plus recommend.profileTimeoutMilliseconds (\(profile)) must be at most recommend.budgetMilliseconds (\(configuration.recommend.budgetMilliseconds)), since one follows the other; got \(session)")
        }

        let model = try root.section("model")
        configuration.model.snapshotDirectory = try model.string("snapshotDirectory", default: defaults.model.snapshotDirectory)
        configuration.model.bootstrapDemoSessions = try model.int(
            "bootstrapDemoSessions", default: defaults.model.bootstrapDemoSessions, in: 0...10_000_000)
        configuration.model.learnFromLog = try model.bool("learnFromLog", default: defaults.model.learnFromLog)
        configuration.model.learnCatalogItemsOnly = try model.bool("learnCatalogItemsOnly", default: defaults.model.learnCatalogItemsOnly)
        configuration.model.publishIntervalMilliseconds = try model.int(
            "publishIntervalMilliseconds", default: defaults.model.publishIntervalMilliseconds, in: 1...10_000)
        configuration.model.snapshotIntervalSeconds = try model.int(
            "snapshotIntervalSeconds", default: defaults.model.snapshotIntervalSeconds, in: 1...86_400)
        configuration.model.snapshotsKept = try model.int("snapshotsKept", default: defaults.model.snapshotsKept, in: 1...100)
        try model.rejectUnknownKeys()

        let admin = try root.section("admin")
        configuration.admin.tokens = try AdminToken.parse(node: admin.node("tokens"), environment: environment["SESSIONRANK_ADMIN_TOKENS"])
        configuration.admin.reloadSeconds = try admin.int("reloadSeconds", default: defaults.admin.reloadSeconds, in: 1...3_600)
        configuration.admin.replayBudgetSeconds = try admin.int(
            "replayBudgetSeconds", default: defaults.admin.replayBudgetSeconds, in: 1...600)
        try admin.rejectUnknownKeys()

        let storefront = try root.section("storefront")
        configuration.storefront.allowAnonymous = try storefront.bool("allowAnonymous", default: defaults.storefront.allowAnonymous)
        configuration.storefront.visitorTokenKeys = try VisitorTokenKey.parse(
            node: storefront.node("visitorTokenKeys"), environment: environment["SESSIONRANK_STOREFRONT_VISITOR_TOKEN_KEYS"])
        configuration.storefront.visitorTokenMaxLifetimeSeconds = try storefront.int(
            "visitorTokenMaxLifetimeSeconds", default: defaults.storefront.visitorTokenMaxLifetimeSeconds, in: 60...86_400)
        configuration.storefront.clockSkewSeconds = try storefront.int(
            "clockSkewSeconds", default: defaults.storefront.clockSkewSeconds, in: 0...300)
        try storefront.rejectUnknownKeys()

        let shutdown = try root.section("shutdown")
        configuration.shutdown.deadlineSeconds = try shutdown.int("deadlineSeconds", default: defaults.shutdown.deadlineSeconds, in: 1...3_600)
        try shutdown.rejectUnknownKeys()
        if configuration.kafka.shutdownFlushTimeoutMilliseconds >= configuration.shutdown.deadlineSeconds * 1_000 {
            throw ConfigurationError(
                field: "kafka.shutdownFlushTimeoutMilliseconds",
                "must be less than shutdown.deadlineSeconds (\(configuration.shutdown.deadlineSeconds) s), so the flush can finish; got \(configuration.kafka.shutdownFlushTimeoutMilliseconds)")
        }

        try root.rejectUnknownKeys()
        return configuration
    }

    static func requireURL(_ text: String, schemes: Set<String>, field: String) throws {
        guard let components = URLComponents(string: text), let scheme = components.scheme, schemes.contains(scheme),
              let host = components.host, !host.isEmpty
        else {
            let shown = PostgresConnectionSettings.redactingPassword(text)
            throw ConfigurationError(field: field, "must be a URL like \(schemes.sorted()[0])://host:port; got \"\(shown)\"")
        }
    }

    /// `redis+cluster://[user:password@]host:port,host:port[/0]` (or `rediss+cluster://`): at least
    /// one seed, each with a host and a port. The error names the seed and what is wrong with it.
    static func requireClusterSeeds(_ text: String, field: String) throws {
        let scheme = text.hasPrefix("rediss+cluster://") ? "rediss+cluster://" : "redis+cluster://"
        var rest = Substring(text.dropFirst(scheme.count))
        if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        let usage = "must be \(scheme)host:port,host:port (seed nodes, each with its port)"
        guard !rest.isEmpty else { throw ConfigurationError(field: field, "\(usage); no seed node is given") }
        for seed in rest.split(separator: ",", omittingEmptySubsequences: false) {
            guard let colon = seed.lastIndex(of: ":") else {
                throw ConfigurationError(field: field, "\(usage); the port is missing in seed \"\(seed)\"")
            }
            guard colon != seed.startIndex else {
                throw ConfigurationError(field: field, "\(usage); the host is missing in seed \"\(seed)\"")
            }
            guard let port = Int(seed[seed.index(after: colon)...]), (1...65_535).contains(port) else {
                throw ConfigurationError(field: field, "\(usage); the port of seed \"\(seed)\" must be 1 to 65535")
            }
        }
    }

    private static func requireTopicName(_ topic: String, field: String) throws {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        guard !topic.isEmpty, topic.count <= 249, topic.allSatisfy(allowed.contains) else {
            throw ConfigurationError(field: field, "must be 1 to 249 characters of letters, digits, '.', '_' or '-'; got \"\(topic)\"")
        }
    }

    /// An HTTP field name is a token (RFC 9110, section 5.6.2): letters, digits and ``!#$%&'*+-.^_`|~``.
    static func isHeaderName(_ name: String) -> Bool {
        !name.isEmpty && name.unicodeScalars.allSatisfy { $0.isASCII && (Self.tokenCharacters.contains($0) || $0.properties.isAlphabetic || ("0"..."9").contains($0)) }
    }

    private static let tokenCharacters = Set("!#$%&'*+-.^_`|~".unicodeScalars)
}

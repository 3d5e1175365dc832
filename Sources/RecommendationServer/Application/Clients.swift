import Foundation
import KafkaClient
import Logging
import PostgresNIO
import RedisClient
import SessionRankAdapters
import SessionRankCore

/// The clients of every external system, built from the configuration. Each is a `Service`.
public struct Clients: Sendable {
    public let redis: RedisClient
    public let postgres: PostgresClient
    /// Events whose answer waits for the broker (`POST /v1/events`): a short linger.
    public let kafka: KafkaProducer
    /// Records nobody waits for (page views, served and feedback records): batched longer, so
    /// each page view does not cost the broker and the client a produce request of its own.
    public let bestEffortKafka: KafkaProducer

    public init(configuration: ServiceConfiguration, logger: Logger) throws {
        redis = try makeRedisClient(configuration.redis, logger: logger)
        postgres = try makePostgresClient(configuration.postgres, logger: logger)
        kafka = try makeKafkaProducer(configuration.kafka, logger: logger)
        var bestEffort = configuration.kafka
        bestEffort.lingerMilliseconds = bestEffort.bestEffortLingerMilliseconds
        bestEffort.clientId += "-best-effort"
        bestEffortKafka = try makeKafkaProducer(bestEffort, logger: logger)
    }
}

public func makeRedisClient(_ settings: ServiceConfiguration.RedisSettings, logger: Logger) throws -> RedisClient {
    var configuration: RedisConfiguration
    do {
        configuration = try RedisConfiguration(url: settings.url)
    } catch {
        throw ConfigurationError(field: "redis.url", "\(error)")
    }
    configuration.poolSize = settings.poolSize
    configuration.commandTimeout = .milliseconds(settings.commandTimeoutMilliseconds)
    configuration.connectTimeout = .milliseconds(settings.connectTimeoutMilliseconds)
    if settings.usesTLS { configuration.tls = try redisTLS(settings) }
    return try RedisClient(configuration: configuration, logger: logger)
}

/// The `redis.tls*` settings as the Redis client takes them; a file it cannot load is reported
/// under its own field.
func redisTLS(_ settings: ServiceConfiguration.RedisSettings) throws -> RedisTLSConfiguration {
    func nonEmpty(_ text: String) -> String? { text.isEmpty ? nil : text }
    let tls = RedisTLSConfiguration(
        caFile: nonEmpty(settings.tlsCaFile), certificateFile: nonEmpty(settings.tlsCertFile),
        keyFile: nonEmpty(settings.tlsKeyFile), verification: settings.tlsVerify == "ca" ? .ca : .full,
        serverName: nonEmpty(settings.tlsServerName))
    do {
        try tls.validate()
    } catch {
        let field = switch error.setting {
        case .caFile: "redis.tlsCaFile"
        case .certificateFile: "redis.tlsCertFile"
        case .keyFile: "redis.tlsKeyFile"
        case .serverName: "redis.tlsServerName"
        }
        throw ConfigurationError(field: field, error.message)
    }
    return tls
}

/// A pooled PostgreSQL client; run it as a service before querying.
public func makePostgresClient(_ settings: ServiceConfiguration.PostgresSettings, logger: Logger) throws -> PostgresClient {
    let connection = try PostgresConnectionSettings(url: settings.url)
    var configuration = PostgresClient.Configuration(
        host: connection.host, port: connection.port, username: connection.username,
        password: connection.password, database: connection.database, tls: try connection.clientTLS()
    )
    configuration.options.maximumConnections = settings.poolSize
    configuration.options.connectTimeout = .milliseconds(max(settings.queryTimeoutMilliseconds * 10, 1_000))
    return PostgresClient(configuration: configuration, backgroundLogger: logger)
}

/// The settings of a single dedicated connection (the profile change listener), from the same
/// URL and with the same TLS choice and connect timeout as the pool above: keep the two in step.
public func makePostgresConnectionConfiguration(_ settings: ServiceConfiguration.PostgresSettings) throws -> PostgresConnection.Configuration {
    let connection = try PostgresConnectionSettings(url: settings.url)
    var configuration = PostgresConnection.Configuration(
        host: connection.host, port: connection.port, username: connection.username,
        password: connection.password, database: connection.database, tls: try connection.connectionTLS()
    )
    configuration.options.connectTimeout = .milliseconds(Int64(max(settings.queryTimeoutMilliseconds * 10, 1_000)))
    return configuration
}

public func makeKafkaProducer(_ settings: ServiceConfiguration.KafkaSettings, logger: Logger) throws -> KafkaProducer {
    let configuration = KafkaProducerConfiguration(
        bootstrapServers: settings.bootstrapServers.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) },
        clientID: settings.clientId,
        maxQueuedMessages: settings.queueMaxMessages,
        linger: .milliseconds(settings.lingerMilliseconds),
        messageTimeout: .milliseconds(settings.messageTimeoutMilliseconds),
        shutdownFlushTimeout: .milliseconds(settings.shutdownFlushTimeoutMilliseconds),
        extraProperties: settings.securityProperties
    )
    return try KafkaProducer(configuration: configuration, logger: logger)
}

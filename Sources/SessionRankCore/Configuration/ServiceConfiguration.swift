import Foundation

/// Everything `sessionrank serve` needs to start, decoded from `config/sessionrank.yaml`
/// and overridden by `SESSIONRANK_*` environment variables (see `ConfigurationLoader`).
public struct ServiceConfiguration: Sendable, Equatable {
    public var http = HTTPSettings()
    public var rateLimit = RateLimitSettings()
    public var redis = RedisSettings()
    public var postgres = PostgresSettings()
    public var kafka = KafkaSettings()
    public var logging = LoggingSettings()
    public var health = HealthSettings()
    public var events = EventLimits()
    public var sessions = SessionSettings()
    public var enrichment = EnrichmentSettings()
    public var catalog = CatalogSettings()
    public var privacy = PrivacySettings()
    public var recommend = RecommendSettings()
    public var model = ModelSettings()
    public var admin = AdminSettings()
    public var storefront = StorefrontSettings()
    public var shutdown = ShutdownSettings()

    public init() {}

    public struct HTTPSettings: Sendable, Equatable {
        public var host = "127.0.0.1"
        public var port = 8080
        /// Requests with a larger body are refused with 413 before they are decoded.
        public var maxBodyBytes = 1_048_576
        /// Origins whose JavaScript may call the API (CORS), comma-separated; `*` for any; empty for none.
        public var corsAllowedOrigins = ""
        /// Requests in flight per endpoint (events, recommend, feedback, …; health and metrics
        /// exempt); one more is answered 503 + Retry-After at once. 0 turns the limit off.
        public var maxInFlightRequests = 32
    }

    public struct ShutdownSettings: Sendable, Equatable {
        /// On SIGTERM/SIGINT: stop accepting, finish requests in flight, flush the Kafka queue,
        /// write the final snapshot. Past this deadline the remaining work is cancelled.
        public var deadlineSeconds = 30
    }

    public struct RateLimitSettings: Sendable, Equatable {
        /// Per client on the public write endpoints; 0 turns the limit off.
        public var requestsPerSecond = 500.0
        public var burst = 1_000
        /// Header naming the client behind a trusted proxy (e.g. X-Forwarded-For); empty: the peer address.
        public var clientHeader = ""
    }

    public struct RedisSettings: Sendable, Equatable {
        public var url = "redis://127.0.0.1:6390"
        public var poolSize = 4
        public var commandTimeoutMilliseconds = 50
        public var connectTimeoutMilliseconds = 1_000
        /// TLS, used with a `rediss://` or `rediss+cluster://` URL: the CA file to trust (empty: the
        /// system's trust store), an optional client certificate and key, `full` (chain and host
        /// name) or `ca` (chain only) verification, and the name the certificate must carry when
        /// it is not the host in the URL.
        public var tlsCaFile = ""
        public var tlsCertFile = ""
        public var tlsKeyFile = ""
        public var tlsVerify = "full"
        public var tlsServerName = ""

        /// Whether the URL asks for TLS.
        public var usesTLS: Bool { url.hasPrefix("rediss://") || url.hasPrefix("rediss+cluster://") }
    }

    public struct PostgresSettings: Sendable, Equatable {
        public var url = "postgres://sessionrank@127.0.0.1:5440/sessionrank"
        public var poolSize = 8
        public var queryTimeoutMilliseconds = 100
    }

    public struct KafkaSettings: Sendable, Equatable {
        public var bootstrapServers = "127.0.0.1:9092"
        public var eventsTopic = "events"
        public var feedbackTopic = "feedback"
        public var clientId = "sessionrank"
        /// Upper bound of messages buffered locally while the broker is slow or down.
        public var queueMaxMessages = 100_000
        public var messageTimeoutMilliseconds = 300_000
        public var shutdownFlushTimeoutMilliseconds = 5_000
        /// How long the producer waits to fill a batch. `POST /v1/events` answers only once the
        /// broker acknowledged its events, so every answer waits this too; under load batches
        /// still form from the records that arrive while one is in flight.
        public var lingerMilliseconds = 1
        /// The batching window of the second producer, for what nobody waits on: the page views
        /// `/v1/recommend` records and the served-recommendation and feedback records. Longer
        /// than `lingerMilliseconds`, so those go to the broker in batches, not one request each.
        public var bestEffortLingerMilliseconds = 20
        /// librdkafka's `security.protocol`: plaintext, ssl, sasl_plaintext or sasl_ssl.
        public var securityProtocol = "plaintext"
        /// `sasl.mechanism` for the sasl_* protocols: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512.
        public var saslMechanism = "PLAIN"
        public var saslUsername = ""
        /// Set it from the environment (`SESSIONRANK_KAFKA_SASL_PASSWORD`), not the file.
        public var saslPassword = ""
        /// PEM file of the CA that signed the brokers' certificates (`ssl.ca.location`); empty:
        /// the system's trust store.
        public var sslCaLocation = ""

        /// The librdkafka properties of the settings above, for every producer and consumer.
        public var securityProperties: [String: String] {
            var properties = ["security.protocol": securityProtocol]
            if securityProtocol.hasPrefix("sasl_") {
                properties["sasl.mechanism"] = saslMechanism
                properties["sasl.username"] = saslUsername
                properties["sasl.password"] = saslPassword
            }
            if securityProtocol.hasSuffix("ssl"), !sslCaLocation.isEmpty {
                properties["ssl.ca.location"] = sslCaLocation
            }
            return properties
        }
    }

    public struct LoggingSettings: Sendable, Equatable {
        /// trace, debug, info, notice, warning, error or critical.
        public var level = "info"
        /// `json` (one object per line, for collectors) or `text` (for people).
        public var format = "json"
    }

    public struct HealthSettings: Sendable, Equatable {
        /// Each dependency check in `/health/ready` gives up after this long.
        public var checkTimeoutMilliseconds = 500
    }

    public struct EnrichmentSettings: Sendable, Equatable {
        /// PostgreSQL look-ups for one request give up after this long; events go on unenriched.
        public var budgetMilliseconds = 25
        public var cacheCapacity = 100_000
        public var cacheTTLSeconds = 60
    }

    public struct CatalogSettings: Sendable, Equatable {
        /// How often the in-memory catalog is reloaded from PostgreSQL.
        public var refreshSeconds = 60
    }

    public struct PrivacySettings: Sendable, Equatable {
        /// Key of the HMAC that pseudonymises ids in logs and in events of sessions without consent.
        /// Set it per deployment (SESSIONRANK_PRIVACY_PSEUDONYM_SECRET); the default is for development only.
        public var pseudonymSecret = "sessionrank-development-only"
    }

    public struct RecommendSettings: Sendable, Equatable {
        /// The whole call should answer within this; the per-dependency timeouts below fit inside it.
        public var budgetMilliseconds = 50
        /// Storing the page view and reading the session back from Redis (after the profile, so the
        /// two timeouts together fit the budget); on timeout the answer uses the current item and popularity.
        public var sessionTimeoutMilliseconds = 20
        /// Reading the profile from PostgreSQL when it is not cached; on timeout the visitor is anonymous.
        public var profileTimeoutMilliseconds = 20
        public var defaultLimit = 10
        public var maxLimit = 100
        /// Compliance rules (see docs/COMPLIANCE.md); a missing file means product-level rules only.
        public var compliancePath = "config/compliance.yaml"
        /// Ranking and business rules (see docs/RANKING.md).
        public var rankingPath = "config/ranking.yaml"
    }

    public struct ModelSettings: Sendable, Equatable {
        /// Snapshots are read from and written to this folder.
        public var snapshotDirectory = "models/snapshots"
        /// With no snapshot, learn this many generated demo sessions at start (0: start empty).
        public var bootstrapDemoSessions = 0
        /// Learn from topics `events` and `feedback` while serving, and write snapshots. Off: a
        /// frozen model (e.g. a fixed model under test).
        public var learnFromLog = true
        /// Learn only events of items the catalogue holds (the rest are counted), so storefront
        /// input cannot grow the model's item tables. Off: any item id is learned, up to the
        /// engine's own cap (`ModelParameters.maxItems`).
        public var learnCatalogItemsOnly = true
        /// Events and feedback read from the log reach the model in batches at least this often.
        /// Each batch publishes a new model state, and the writes after a publish copy what they
        /// touch, so a shorter interval costs CPU for freshness.
        public var publishIntervalMilliseconds = 100
        /// A snapshot (with the Kafka offsets it includes) is written this often and on shutdown.
        public var snapshotIntervalSeconds = 300
        /// How many of the newest written snapshots are kept.
        public var snapshotsKept = 3
    }

    public struct AdminSettings: Sendable, Equatable {
        /// Bearer tokens of the admin API; none means the admin API refuses everything with 401.
        public var tokens: [AdminToken] = []
        /// How often a replica checks PostgreSQL and the ranking file for a newer ranking config.
        public var reloadSeconds = 5
        /// A replay (`POST /admin/v1/replay`) stops reading the log and ranking when this is spent.
        public var replayBudgetSeconds = 30
    }

    public struct StorefrontSettings: Sendable, Equatable {
        /// Calls without a storefront key or visitor token that name only a session are served.
        /// Off: every storefront call needs one of the two.
        public var allowAnonymous = true
        /// HMAC keys of the visitor tokens, by `kid`; none means visitor tokens are refused.
        public var visitorTokenKeys: [VisitorTokenKey] = []
        /// The longest lifetime (`exp` minus `iat`, or minus now) a visitor token may have.
        public var visitorTokenMaxLifetimeSeconds = 3_600
        /// Tolerance for the minting backend's clock on `exp`, `nbf` and `iat`.
        public var clockSkewSeconds = 30
    }
}

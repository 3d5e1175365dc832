import Foundation
import Testing

@testable import RecommendationServer
@testable import SessionRankAdapters
@testable import SessionRankCore

@Suite("Service configuration")
struct ConfigurationTests {
    @Test("serve refuses the shipped pseudonym secret outside development mode, and says how to set one")
    func developmentSecretRefused() throws {
        let shipped = try ServiceConfiguration.parse(yaml: "")
        #expect(throws: ConfigurationError.self) { try shipped.privacy.refuseDevelopmentSecret(environment: [:]) }
        #expect(throws: ConfigurationError.self) {
            try shipped.privacy.refuseDevelopmentSecret(environment: ["SESSIONRANK_DEVELOPMENT_MODE": "false"])
        }
        do {
            try shipped.privacy.refuseDevelopmentSecret(environment: [:])
        } catch {
            #expect(error.field == "privacy.pseudonymSecret")
            #expect("\(error)".contains("SESSIONRANK_PRIVACY_PSEUDONYM_SECRET"))
        }
        try shipped.privacy.refuseDevelopmentSecret(environment: ["SESSIONRANK_DEVELOPMENT_MODE": "true"])
        let own = try ServiceConfiguration.parse(yaml: "", environment: ["SESSIONRANK_PRIVACY_PSEUDONYM_SECRET": "a-secret-of-our-own-0123"])
        try own.privacy.refuseDevelopmentSecret(environment: [:])
    }

    @Test("Kafka security settings: SASL needs its credentials, and the settings reach librdkafka")
    func kafkaSecurity() throws {
        #expect(try ServiceConfiguration.parse(yaml: "").kafka.securityProperties == ["security.protocol": "plaintext"])
        do {
            _ = try ServiceConfiguration.parse(yaml: "kafka:\n  securityProtocol: sasl_ssl\n  saslUsername: svc\n")
            Issue.record("SASL without a password was accepted")
        } catch let error as ConfigurationError {
            #expect(error.field == "kafka.saslPassword")
        }
        do {
            _ = try ServiceConfiguration.parse(yaml: "kafka:\n  securityProtocol: tls\n")
            Issue.record("an unknown protocol was accepted")
        } catch let error as ConfigurationError {
            #expect(error.field == "kafka.securityProtocol")
        }
        let sasl = try ServiceConfiguration.parse(
            yaml: "kafka:\n  securityProtocol: sasl_ssl\n  saslMechanism: SCRAM-SHA-512\n  saslUsername: svc\n  sslCaLocation: /etc/kafka/ca.pem\n",
            environment: ["SESSIONRANK_KAFKA_SASL_PASSWORD": "from-the-environment"])
        #expect(sasl.kafka.securityProperties == [
            "security.protocol": "sasl_ssl", "sasl.mechanism": "SCRAM-SHA-512", "sasl.username": "svc",
            "sasl.password": "from-the-environment", "ssl.ca.location": "/etc/kafka/ca.pem",
        ])
        // librdkafka itself reads the settings: a CA file that does not exist stops the producer at creation.
        var ssl = ServiceConfiguration().kafka
        ssl.securityProtocol = "ssl"
        ssl.sslCaLocation = "/nonexistent/sessionrank-test-ca.pem"
        do {
            _ = try makeKafkaProducer(ssl, logger: TestServer.logger)
            Issue.record("a producer was created with a missing CA file")
        } catch {
            #expect("\(error)".contains("ssl.ca.location"), "\(error)")
        }
    }

    @Test("an empty file gives the documented defaults")
    func defaults() throws {
        let configuration = try ServiceConfiguration.parse(yaml: "")
        #expect(configuration == ServiceConfiguration())
        #expect(configuration.http.port == 8080)
        #expect(configuration.kafka.eventsTopic == "events")
    }

    @Test("the shipped config/sessionrank.yaml parses and matches the defaults")
    func shippedFile() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../config/sessionrank.yaml").standardized.path
        let configuration = try ServiceConfiguration.load(file: file, environment: [:])
        #expect(configuration == ServiceConfiguration())
    }

    @Test("environment variables override the file, by field path")
    func environmentOverrides() throws {
        let configuration = try ServiceConfiguration.parse(
            yaml: "redis:\n  poolSize: 2\nhttp:\n  port: 9000\n",
            environment: [
                "SESSIONRANK_REDIS_POOL_SIZE": "7",
                "SESSIONRANK_KAFKA_BOOTSTRAP": "10.0.0.1:9093",
                "SESSIONRANK_LOGGING_FORMAT": "text",
            ]
        )
        #expect(configuration.redis.poolSize == 7)
        #expect(configuration.http.port == 9000)
        #expect(configuration.kafka.bootstrapServers == "10.0.0.1:9093")
        #expect(configuration.logging.format == "text")
    }

    @Test(
        "a bad value is rejected with the field named and what is allowed",
        arguments: [
            ("http:\n  port: 70000\n", "http.port", "from 0 to 65535"),
            ("http:\n  port: eighty\n", "http.port", "whole number"),
            ("redis:\n  poolSize: 0\n", "redis.poolSize", "from 1 to 64"),
            ("redis:\n  url: localhost:6379\n", "redis.url", "redis://host:port"),
            ("postgres:\n  url: postgres://host/db\n", "postgres.url", "must name a user"),
            ("kafka:\n  bootstrapServers: broker\n", "kafka.bootstrapServers", "host:port"),
            ("kafka:\n  eventsTopic: 'bad topic'\n", "kafka.eventsTopic", "letters, digits"),
            ("logging:\n  level: loud\n", "logging.level", "one of trace, debug"),
            ("http:\n  prot: 8080\n", "http.prot", "not a known setting"),
            ("htp:\n  port: 8080\n", "htp", "not a known setting"),
            ("http: [1, 2]\n", "http", "must be a mapping"),
            ("http:\n  port: [1]\n", "http.port", "single value"),
            ("http:\n  maxInFlightRequests: -1\n", "http.maxInFlightRequests", "from 0 to 1000000"),
            ("shutdown:\n  deadlineSeconds: 0\n", "shutdown.deadlineSeconds", "from 1 to 3600"),
            ("shutdown:\n  deadlineSeconds: 5\n", "kafka.shutdownFlushTimeoutMilliseconds", "less than shutdown.deadlineSeconds (5 s)"),
        ]
    )
    func rejectsBadValues(yaml: String, field: String, fragment: String) throws {
        let error = try #require(throws: ConfigurationError.self) {
            try ServiceConfiguration.parse(yaml: yaml)
        }
        #expect(error.field == field)
        #expect(error.message.contains(fragment), "message was: \(error.message)")
    }

    @Test("environment variable names follow the field path")
    func environmentNames() {
        #expect(ConfigSection.environmentName(for: "redis.poolSize") == "SESSIONRANK_REDIS_POOL_SIZE")
        #expect(ConfigSection.environmentName(for: "kafka.bootstrapServers") == "SESSIONRANK_KAFKA_BOOTSTRAP_SERVERS")
        #expect(ConfigSection.environmentName(for: "http.port") == "SESSIONRANK_HTTP_PORT")
    }

    @Test("PostgreSQL URLs are split into connection settings")
    func postgresURL() throws {
        let settings = try PostgresConnectionSettings(url: "postgres://app:secret@db.internal:6543/shop")
        #expect(settings.host == "db.internal")
        #expect(settings.port == 6543)
        #expect(settings.username == "app")
        #expect(settings.password == "secret")
        #expect(settings.database == "shop")
        #expect(settings.tlsMode == .prefer)  // libpq's default
    }

    @Test("sslmode and sslrootcert follow libpq; anything else is refused by name, without the password")
    func postgresTLSParameters() throws {
        let strict = try PostgresConnectionSettings(url: "postgres://app@db:5432/shop?sslmode=verify-full&sslrootcert=/etc/ssl/db-ca.pem")
        #expect(strict.tlsMode == .verifyFull && strict.rootCertificatePath == "/etc/ssl/db-ca.pem")
        for (url, words) in [
            ("postgres://app:hunter2@db/shop?sslmode=allow", "sslmode must be one of disable, prefer, require, verify-ca, verify-full"),
            ("postgres://app:hunter2@db/shop?ssl=true", "\"ssl\" is not a known parameter"),
            ("postgres://app:hunter2@db/shop?sslmode=disable&sslrootcert=/x.pem", "sslrootcert needs sslmode"),
        ] {
            do {
                _ = try PostgresConnectionSettings(url: url)
                Issue.record("accepted \(url)")
            } catch let error as ConfigurationError {
                #expect(error.field == "postgres.url")
                #expect("\(error)".contains(words), "\(error)")
                #expect(!"\(error)".contains("hunter2"))
            }
        }
        #expect(PostgresConnectionSettings.redactingPassword("postgres://app:hunter2@db/shop") == "postgres://app:***@db/shop")
    }
}

@Suite("Recommend budget")
struct RecommendBudgetConfigurationTests {
    @Test func dependencyTimeoutsMustFitTheBudget() throws {
        let error = #expect(throws: ConfigurationError.self) {
            try ServiceConfiguration.parse(yaml: "recommend:\n  budgetMilliseconds: 30\n  sessionTimeoutMilliseconds: 40\n")
        }
        #expect(error?.field == "recommend.sessionTimeoutMilliseconds")
        #expect(error?.message.contains("at most recommend.budgetMilliseconds (30)") == true)
    }

    @Test func profileAndSessionTogetherMustFitTheBudget() throws {
        let error = #expect(throws: ConfigurationError.self) {
            try ServiceConfiguration.parse(yaml: "recommend:\n  budgetMilliseconds: 30\n  sessionTimeoutMilliseconds: 20\n  profileTimeoutMilliseconds: 20\n")
        }
        #expect(error?.field == "recommend.sessionTimeoutMilliseconds")
        #expect(error?.message.contains("plus recommend.profileTimeoutMilliseconds (20) must be at most recommend.budgetMilliseconds (30)") == true)
        _ = try ServiceConfiguration.parse(yaml: "recommend:\n  budgetMilliseconds: 40\n  sessionTimeoutMilliseconds: 20\n  profileTimeoutMilliseconds: 20\n")
    }
}

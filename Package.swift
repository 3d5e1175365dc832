// swift-tools-version:6.1
import PackageDescription

// Swift 6 language mode already gives complete strict concurrency checking.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "SessionRank",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "sessionrank", targets: ["sessionrank"]),
        .library(name: "Recommender", targets: ["Recommender"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        // C libraries from Debian, reached through pkg-config.

        .systemLibrary(
            name: "CHiredis",
            pkgConfig: "hiredis",
            providers: [.apt(["libhiredis-dev"])]
        ),
        .systemLibrary(
            name: "CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),

        // Adapters: each wraps exactly one external system.
        .target(
            name: "RedisClient",
            dependencies: [
                "CHiredis",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                // TLS on the client's own NIO channel; hiredis only parses replies.
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "KafkaClient",
            dependencies: [
                "CRdKafka",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),

        // Local development only: librdkafka's mock cluster, its service and the TCP forwarder.
        .target(
            name: "KafkaDevBroker",
            dependencies: [
                "KafkaClient",
                "CRdKafka",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),

        // The engine: pure Swift, Foundation only, no I/O.
        .target(
            name: "Recommender",
            swiftSettings: strictSettings
        ),
        // Offline work on the engine: evaluation, tuning, simulation, synthetic data, benchmarks.
        .target(
            name: "RecommenderLab",
            dependencies: ["Recommender"],
            swiftSettings: strictSettings
        ),

        // Compliance rules: pure evaluation of config/compliance.yaml against a visitor and a product.
        .target(
            name: "Compliance",
            dependencies: [.product(name: "Yams", package: "Yams")],
            swiftSettings: strictSettings
        ),

        // The domain: events, sessions, enrichment, recommend, feedback, the learning loop's model,
        // configuration and credentials. Defines the ports (SessionStore, EventLog, ProfileSource,
        // CatalogSource, ConfigStore); imports no transport and no client of an external system.
        // NIOCore/NIOPosix only for event-loop timers (deadlines, publish confirmation).
        .target(
            name: "SessionRankCore",
            dependencies: [
                "Recommender",
                "Compliance",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strictSettings
        ),
        // The ports implemented with one client each: Redis/, Kafka/, Postgres/.
        .target(
            name: "SessionRankAdapters",
            dependencies: [
                "SessionRankCore",
                "Recommender",
                "Compliance",
                "RedisClient",
                "KafkaClient",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // HTTP only: routes, middleware, admission, JSON encoders; wires core and adapters together.
        .target(
            name: "RecommendationServer",
            dependencies: [
                "SessionRankCore",
                "SessionRankAdapters",
                "Recommender",
                "RedisClient",
                "KafkaClient",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "sessionrank",
            dependencies: [
                "RecommendationServer",
                "SessionRankCore",
                "SessionRankAdapters",
                "Recommender",
                "RecommenderLab",
                "KafkaClient",
                "KafkaDevBroker",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),

        .testTarget(name: "RecommenderTests", dependencies: ["Recommender", "RecommenderLab"], swiftSettings: strictSettings),
        .testTarget(name: "ComplianceTests", dependencies: ["Compliance"], swiftSettings: strictSettings),
        // Helpers shared by the test targets: throwaway servers and the like.
        .target(
            name: "TestSupport",
            dependencies: ["RedisClient", .product(name: "NIOPosix", package: "swift-nio")],
            path: "Tests/TestSupport",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "RedisClientTests",
            dependencies: [
                "TestSupport",
                "RedisClient",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "KafkaClientTests",
            dependencies: ["KafkaClient", "KafkaDevBroker", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "RecommendationServerTests",
            dependencies: [
                // The command line, for the demo users and request log it seeds (`DemoPeopleGenerator`).
                "sessionrank",
                "RecommendationServer",
                "SessionRankCore",
                "SessionRankAdapters",
                "Recommender",
                "Compliance",
                "KafkaClient",
                "KafkaDevBroker",
                "RedisClient",
                "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)

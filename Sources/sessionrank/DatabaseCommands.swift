import ArgumentParser
import Foundation
import Logging
import PostgresNIO
import RecommendationServer
import SessionRankAdapters
import SessionRankCore

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Apply pending PostgreSQL schema migrations.")

    @OptionGroup var options: ConfigurationOptions

    func run() async throws {
        let configuration = try loadConfiguration(options)
        let logger = Logger(label: "sessionrank.migrate")
        try await withPostgres(configuration, logger: logger) { client in
            let applied = try await MigrationRunner(client: client, logger: logger).migrate()
            print(applied.isEmpty ? "schema is up to date" : "applied migrations: \(applied.map(String.init).joined(separator: ", "))")
        }
    }
}

struct SeedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed",
        abstract: "Load demo data: a catalog, users and a backend request log, all generated deterministically.",
        discussion: """
            --demo loads the generated demo catalog (p-00001 …), users (demo-adult, demo-minor, u-0001 …) and requests.
            --sessions FILE also generates a catalog row for every item id of a session file
            (SessionId<TAB>ItemId<TAB>Time), so benchmarks can run on real click data.
            """
    )

    @OptionGroup var options: ConfigurationOptions
    @Flag(help: "Load the generated demo catalog, users and request log.") var demo = false
    @Option(help: "Session file whose item ids get catalog rows.") var sessions: String?
    @Option(help: "Number of demo products.") var products = 2_000
    @Option(help: "Number of demo users.") var users = 1_000
    @Option(help: "Number of demo backend requests.") var requests = 5_000

    func validate() throws {
        guard demo || sessions != nil else { throw ValidationError("nothing to seed: pass --demo, --sessions FILE, or both") }
        guard (1...1_000_000).contains(products) else { throw ValidationError("--products must be from 1 to 1000000") }
        guard (1...1_000_000).contains(users) else { throw ValidationError("--users must be from 1 to 1000000") }
        guard (1...10_000_000).contains(requests) else { throw ValidationError("--requests must be from 1 to 10000000") }
    }

    func run() async throws {
        let configuration = try loadConfiguration(options)
        let logger = Logger(label: "sessionrank.seed")
        try await withPostgres(configuration, logger: logger) { client in
            let writer = DemoDataWriter(client: client, logger: logger)
            if demo {
                let people = DemoPeopleGenerator(userCount: users, requestCount: requests)
                let demoUsers = people.users()
                try await writer.upsert(products: DemoDataGenerator(productCount: products).products())
                try await writer.upsert(users: demoUsers)
                try await writer.upsert(requests: people.requests(users: demoUsers))
                print("seeded \(products) products, \(demoUsers.count) users, \(requests) requests")
            }
            if let sessions {
                let itemIds = try SessionFileItems.read(path: sessions)
                try await writer.upsert(products: itemIds.map(DemoDataGenerator.product(id:)))
                print("seeded \(itemIds.count) products for the items of \(sessions)")
            }
        }
    }
}

/// Runs `body` with a PostgreSQL client whose pool runs for exactly as long as `body`.
func withPostgres(
    _ configuration: ServiceConfiguration, logger: Logger, _ body: @Sendable (PostgresClient) async throws -> Void
) async throws {
    let client = try makePostgresClient(configuration.postgres, logger: logger)
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await client.run() }
        defer { group.cancelAll() }
        try await body(client)
    }
}

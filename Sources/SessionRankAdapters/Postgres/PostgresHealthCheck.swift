import PostgresNIO

struct PostgresHealthCheck: DependencyHealthCheck {
    let client: PostgresClient
    var name: String { "postgres" }

    func check() async throws {
        _ = try await client.query("SELECT 1").collect()
    }
}

import RedisClient

struct RedisHealthCheck: DependencyHealthCheck {
    let client: RedisClient
    var name: String { "redis" }

    func check() async throws {
        try await client.ping()
    }
}

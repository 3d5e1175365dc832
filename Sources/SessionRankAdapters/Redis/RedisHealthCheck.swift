import RedisClient
import SessionRankCore

package struct RedisHealthCheck: DependencyHealthCheck {
    let client: RedisClient
    package var name: String { "redis" }

    package func check() async throws {
        try await client.ping()
    }

    package init(client: RedisClient) {
        self.client = client
    }
}

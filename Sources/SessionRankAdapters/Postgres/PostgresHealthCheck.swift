import PostgresNIO
import SessionRankCore

package struct PostgresHealthCheck: DependencyHealthCheck {
    let client: PostgresClient
    package var name: String { "postgres" }

    package func check() async throws {
        _ = try await client.query("SELECT 1").collect()
    }

    package init(client: PostgresClient) {
        self.client = client
    }
}

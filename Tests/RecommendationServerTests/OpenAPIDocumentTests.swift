import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import Yams

@testable import RecommendationServer
@testable import SessionRankAdapters
@testable import SessionRankCore

/// `openapi.yaml` and the router describe the same API: every route the service answers is
/// documented with its method, and every documented operation is a route. What each operation
/// answers is checked against the document by the schemathesis run (`make faults`).
@Suite(
    "openapi.yaml covers every route",
    .enabled(if: IntegrationEnvironment.enabled(needs: "SESSIONRANK_POSTGRES_URL", "SESSIONRANK_REDIS_URL", "SESSIONRANK_KAFKA_BOOTSTRAP"))
)
struct OpenAPIDocumentTests {
    static let documentPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../openapi.yaml").standardized.path

    static func documentedOperations() throws -> Set<String> {
        let text = try String(contentsOfFile: documentPath, encoding: .utf8)
        let document = try #require(try Yams.load(yaml: text) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: Any])
        let methods: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options"]
        var operations: Set<String> = []
        for (path, item) in paths {
            for key in (item as? [String: Any] ?? [:]).keys where methods.contains(key) {
                operations.insert("\(key.uppercased()) \(normalizedRoutePath(path))")
            }
        }
        return operations
    }

    @Test("every route is documented, and every documented operation is a route")
    func sameOperations() async throws {
        try await TestServer.withApp { client, components in
            let routes = Set(buildRouter(components.dependencies).routes.map { "\($0.method) \(normalizedRoutePath("\($0.path)"))" })
            let documented = try Self.documentedOperations()
            #expect(routes.count > 20)
            #expect(routes.subtracting(documented).isEmpty, "not in openapi.yaml: \(routes.subtracting(documented).sorted())")
            #expect(documented.subtracting(routes).isEmpty, "documented but not served: \(documented.subtracting(routes).sorted())")

            let served = try await client.getJSON("/openapi.yaml")
            #expect(served.status == .ok)
            #expect(served.body == (try String(contentsOfFile: Self.documentPath, encoding: .utf8)))
        }
    }
}

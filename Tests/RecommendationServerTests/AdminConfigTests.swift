import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import RecommendationServer
@testable import SessionRankAdapters
@testable import SessionRankCore

@Suite(
    "Admin API: ranking config versions on PostgreSQL",
    .enabled(if: IntegrationEnvironment.enabled(needs: "SESSIONRANK_POSTGRES_URL", "SESSIONRANK_REDIS_URL", "SESSIONRANK_KAFKA_BOOTSTRAP")),
    .serialized
)
struct AdminConfigTests {
    static let editor = "editor-token-0123456789"
    static let viewer = "viewer-token-0123456789"
    static let shippedFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../config/ranking.yaml").standardized.path
    static var shipped: String { (try? String(contentsOfFile: shippedFile, encoding: .utf8)) ?? "" }

    /// The shipped config with a unique comment: a new digest, the same ranking.
    static func harmless(_ tag: String) -> String { shipped + "\n# test \(TestServer.uniqueId(tag))\n" }

    static func withAdmin(
        mode: TestingSetup = .router,
        _ configure: @escaping (inout ServiceConfiguration) -> Void = { _ in },
        _ body: @escaping @Sendable (any TestClientProtocol, ServerComponents) async throws -> Void
    ) async throws {
        try await TestServer.withApp(mode: mode, { configuration in
            configuration.admin.tokens = [
                AdminToken(name: "test-editor", role: .editor, token: editor),
                AdminToken(name: "test-viewer", role: .viewer, token: viewer),
            ]
            configuration.recommend.rankingPath = shippedFile
            configuration.admin.reloadSeconds = 3_600
            configure(&configuration)
        }) { client, components in
            await components.rankingConfig.sync()
            try await body(client, components)
        }
    }

    struct Answer {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var body: String
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
    }

    static func call(
        _ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, token: String? = nil,
        headers: HTTPFields = [:], body: String? = nil
    ) async throws -> Answer {
        var headers = headers
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) {
            Answer(status: $0.status, headers: $0.headers, body: String(buffer: $0.body))
        }
    }

    static func current(_ client: any TestClientProtocol) async throws -> (etag: String, version: Int64) {
        let answer = try await call(client, .get, "/admin/v1/config", token: viewer)
        #expect(answer.status == .ok, "\(answer.body)")
        let etag = try #require(answer.headers[.eTag])
        return (etag, try #require(answer.json["version"] as? Int).int64)
    }

    static func put(_ client: any TestClientProtocol, yaml: String, ifMatch: String?, comment: String = "test") async throws -> Answer {
        let body = String(data: try JSONSerialization.data(withJSONObject: ["yaml": yaml, "comment": comment]), encoding: .utf8)!
        var headers: HTTPFields = [.contentType: "application/json"]
        if let ifMatch { headers[.ifMatch] = ifMatch }
        return try await call(client, .put, "/admin/v1/config", token: editor, headers: headers, body: body)
    }

    @Test("auth matrix: 401 without or with an unknown token, 403 for a viewer's change, 200 for allowed roles")
    func authMatrix() async throws {
        try await Self.withAdmin { client, _ in
            let missing = try await Self.call(client, .get, "/admin/v1/config")
            #expect(missing.status == .unauthorized)
            #expect(missing.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            #expect(missing.body.contains(#""code":"unauthorized""#))
            #expect(try await Self.call(client, .get, "/admin/v1/config", token: "wrong-token-0123456789").status == .unauthorized)
            #expect(try await Self.call(client, .get, "/admin/v1/config", headers: [.authorization: "Basic \(Self.viewer)"]).status == .unauthorized)

            for path in ["/admin/v1/config", "/admin/v1/config/versions", "/admin/v1/audit", "/admin/v1/experiments", "/admin/v1/kpis"] {
                #expect(try await Self.call(client, .get, path, token: Self.viewer).status == .ok, "\(path)")
                #expect(try await Self.call(client, .get, path, token: Self.editor).status == .ok, "\(path)")
            }
            let validate = try await Self.call(client, .post, "/admin/v1/config/validate", token: Self.viewer, body: Self.shipped)
            #expect(validate.status == .ok)

            let (etag, version) = try await Self.current(client)
            let viewerPut = try await Self.call(
                client, .put, "/admin/v1/config", token: Self.viewer, headers: [.ifMatch: etag], body: Self.harmless("viewer"))
            #expect(viewerPut.status == .forbidden)
            #expect(viewerPut.body.contains("requires editor"))
            #expect(try await Self.call(client, .post, "/admin/v1/config/rollback/\(version)", token: Self.viewer).status == .forbidden)
            #expect(try await Self.current(client).version == version)
        }
    }

    @Test("GET /admin serves the self-contained page without a token; it calls the API with one")
    func page() async throws {
        try await Self.withAdmin { client, _ in
            let page = try await Self.call(client, .get, "/admin")
            #expect(page.status == .ok)
            #expect(page.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(page.body.contains("/admin/v1") && page.body.contains("Authorization") && page.body.contains("If-Match"))
            #expect(!page.body.contains("<script src"))
        }
    }

    @Test("with no token configured every admin request is 401")
    func noTokens() async throws {
        try await TestServer.withApp { client, _ in
            let answer = try await Self.call(client, .get, "/admin/v1/config", token: Self.editor)
            #expect(answer.status == .unauthorized)
        }
    }

    @Test("PUT stores a new version, swaps the live policy, answers a new ETag and writes an audit row")
    func putActivates() async throws {
        try await Self.withAdmin { client, components in
            let (etag, version) = try await Self.current(client)
            let yaml = Self.harmless("put")
            let answer = try await Self.put(client, yaml: yaml, ifMatch: etag, comment: "raise nothing")
            #expect(answer.status == .ok, "\(answer.body)")
            #expect(answer.headers[.eTag] == "\"\(version + 1)\"" || (answer.json["version"] as? Int).map { $0 > version } == true)
            #expect(answer.json["author"] as? String == "test-editor")
            let digest = RankingConfigStore.digest(yaml)
            #expect(answer.json["digest"] as? String == digest)
            #expect(components.rankingConfig.policy.current.version == "cfg-" + digest.prefix(12))

            // A recommendation ranked now names the new content.
            let recommended = try await client.getJSON("/v1/recommend?sessionId=\(TestServer.uniqueId("s"))&limit=3")
            #expect(recommended.body.contains("cfg-" + digest.prefix(12)))

            let fetched = try await Self.call(client, .get, "/admin/v1/config", token: Self.viewer)
            #expect(fetched.json["yaml"] as? String == yaml)
            #expect(fetched.headers[.eTag] == answer.headers[.eTag])

            let audit = try await Self.call(client, .get, "/admin/v1/audit?limit=20", token: Self.viewer)
            let entries = audit.json["entries"] as? [[String: Any]] ?? []
            let stored = answer.json["version"] as? Int
            #expect(entries.contains { $0["version"] as? Int == stored && $0["action"] as? String == "update" && $0["actor"] as? String == "test-editor" && $0["detail"] as? String == "raise nothing" })
            // The audit log names the token's owner, never the token.
            #expect(!audit.body.contains(Self.editor))
        }
    }

    @Test("PUT without If-Match is 428; with a stale one 412; nothing changes")
    func preconditions() async throws {
        try await Self.withAdmin { client, _ in
            let (etag, version) = try await Self.current(client)
            let missing = try await Self.put(client, yaml: Self.harmless("nomatch"), ifMatch: nil)
            #expect(missing.status == .preconditionRequired)
            #expect(missing.body.contains(#""field":"If-Match""#))
            let stale = try await Self.put(client, yaml: Self.harmless("stale"), ifMatch: "\"\(version - 1)\"")
            #expect(stale.status == .preconditionFailed)
            #expect(stale.headers[.eTag] == etag)
            #expect(try await Self.current(client).version == version)
        }
    }

    @Test("two concurrent edits from the same version: one wins, the other gets 412")
    func concurrentEdits() async throws {
        try await Self.withAdmin { client, _ in
            let (etag, version) = try await Self.current(client)
            async let first = Self.put(client, yaml: Self.harmless("race-a"), ifMatch: etag)
            async let second = Self.put(client, yaml: Self.harmless("race-b"), ifMatch: etag)
            let statuses = [try await first.status, try await second.status].sorted { $0.code < $1.code }
            #expect(statuses == [.ok, .preconditionFailed])
            #expect(try await Self.current(client).version > version)
        }
    }

    @Test("a bad config is 400 naming the field; the stored and live config stay")
    func invalidPut() async throws {
        try await Self.withAdmin { client, components in
            let (etag, version) = try await Self.current(client)
            let live = components.rankingConfig.policy.current
            let cases: [(String, String)] = [
                ("rules:\n  boosts:\n    - {category: books, factor: 0}\n", "rules.boosts[0].factor"),
                ("rules:\n  explorationShare: lots\n", "rules.explorationShare"),
                ("engine:\n  weights:\n    knn: [1]\n", "engine.weights.knn"),
                ("rules: [unclosed\n", "<file>"),
            ]
            for (yaml, field) in cases {
                let answer = try await Self.put(client, yaml: yaml, ifMatch: etag)
                #expect(answer.status == .badRequest, "\(yaml)")
                #expect((answer.json["error"] as? [String: Any])?["field"] as? String == field, "\(answer.body)")
                #expect((answer.json["error"] as? [String: Any])?["code"] as? String == "invalid_config")
                let validated = try await Self.call(client, .post, "/admin/v1/config/validate", token: Self.viewer, body: yaml)
                #expect(validated.status == .badRequest)
            }
            #expect(try await Self.current(client).version == version)
            #expect(components.rankingConfig.policy.current == live)
        }
    }

    @Test("rollback stores the old content as a new version and serves it")
    func rollback() async throws {
        try await Self.withAdmin { client, components in
            let first = Self.harmless("rb-a")
            let a = try await Self.put(client, yaml: first, ifMatch: try await Self.current(client).etag)
            let target = try #require(a.json["version"] as? Int)
            let b = try await Self.put(client, yaml: Self.harmless("rb-b"), ifMatch: a.headers[.eTag] ?? "")
            #expect(b.status == .ok)

            let rolled = try await Self.call(client, .post, "/admin/v1/config/rollback/\(target)", token: Self.editor)
            #expect(rolled.status == .ok, "\(rolled.body)")
            #expect((rolled.json["version"] as? Int).map { $0 > target + 1 } == true)
            #expect(rolled.json["digest"] as? String == RankingConfigStore.digest(first))
            #expect(rolled.json["comment"] as? String == "rollback to version \(target)")
            #expect(components.rankingConfig.policy.current.version == "cfg-" + RankingConfigStore.digest(first).prefix(12))

            let versions = try await Self.call(client, .get, "/admin/v1/config/versions?limit=5", token: Self.viewer)
            let listed = versions.json["versions"] as? [[String: Any]] ?? []
            #expect(listed.first?["version"] as? Int == rolled.json["version"] as? Int)
            #expect(versions.json["live"] as? Int == rolled.json["version"] as? Int)

            #expect(try await Self.call(client, .post, "/admin/v1/config/rollback/999999999", token: Self.editor).status == .notFound)
            let stale = try await Self.call(client, .post, "/admin/v1/config/rollback/\(target)", token: Self.editor, headers: [.ifMatch: "\"\(target)\""])
            #expect(stale.status == .preconditionFailed)
        }
    }

    @Test("a stored version that does not validate here is refused; the live config stays")
    func refusesInvalidStoredVersion() async throws {
        try await Self.withAdmin { client, components in
            let reloader = components.rankingConfig
            let live = reloader.policy.current
            let liveVersion = reloader.liveVersion
            // As if a replica running other code had stored it.
            let bad = try #require(try await reloader.store.append(
                yaml: "rules:\n  maxPerBrand: 0\n", author: "test", comment: "invalid", action: "update"))
            await reloader.sync()
            #expect(reloader.policy.current == live)
            #expect(reloader.liveVersion == liveVersion)
            let fixed = try await Self.put(client, yaml: Self.harmless("after-bad"), ifMatch: "\"\(bad.version)\"")
            #expect(fixed.status == .ok)
            #expect(reloader.liveVersion == (fixed.json["version"] as? Int).map(Int64.init))
        }
    }

    @Test("another replica converges on a version stored through this one")
    func replicasConverge() async throws {
        try await Self.withAdmin { client, components in
            let replica = RankingConfigReloader(
                store: components.rankingConfig.store, policy: PolicyHolder(.default), path: "/nonexistent/ranking.yaml",
                interval: .seconds(3_600), logger: TestServer.logger)
            let yaml = Self.harmless("replica")
            let answer = try await Self.put(client, yaml: yaml, ifMatch: try await Self.current(client).etag)
            #expect(answer.status == .ok)
            await replica.sync()
            #expect(replica.policy.current.version == "cfg-" + RankingConfigStore.digest(yaml).prefix(12))
            #expect(replica.liveVersion == (answer.json["version"] as? Int).map(Int64.init))
        }
    }

    @Test("hot reload: a changed file becomes a new version by \"file\"; a bad file is logged, audited and ignored")
    func fileReload() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ranking-\(UUID().uuidString).yaml").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Self.harmless("file-start").write(toFile: path, atomically: true, encoding: .utf8)
        try await Self.withAdmin({ $0.recommend.rankingPath = path }) { client, components in
            let reloader = components.rankingConfig
            // At start the file differs from anything stored from it, so it becomes the newest version.
            let started = try await Self.call(client, .get, "/admin/v1/config", token: Self.viewer)
            #expect(started.json["author"] as? String == "file")
            #expect(started.json["yaml"] as? String == (try String(contentsOfFile: path, encoding: .utf8)))

            let changed = Self.harmless("file-change")
            try changed.write(toFile: path, atomically: true, encoding: .utf8)
            await reloader.sync()
            let digest = RankingConfigStore.digest(changed)
            #expect(reloader.policy.current.version == "cfg-" + digest.prefix(12))
            let latest = try #require(try await reloader.store.latest())
            #expect(latest.digest == digest && latest.author == "file")

            // Unchanged file: nothing new is stored.
            await reloader.sync()
            #expect(try await reloader.store.latest()?.version == latest.version)

            try "rules:\n  maxPerCategory: 0\n".write(toFile: path, atomically: true, encoding: .utf8)
            await reloader.sync()
            #expect(reloader.policy.current.version == "cfg-" + digest.prefix(12))
            #expect(try await reloader.store.latest()?.version == latest.version)
            let audit = try await reloader.store.auditLog(limit: 20)
            #expect(audit.contains { $0.action == "file_rejected" && $0.detail.contains(path) && $0.detail.contains("rules.maxPerCategory") })
        }
        // Leave the shared table on the shipped file's ranking for suites that run next.
        try await Self.withAdmin { client, _ in
            _ = try await Self.put(client, yaml: Self.harmless("restore"), ifMatch: try await Self.current(client).etag)
        }
    }
}

/// Preview is part of the same serialized suite: every test here writes the shared config table.
extension AdminConfigTests {
    @Test("a draft that excludes books and boosts a category ranks side by side; nothing live changes")
    func preview() async throws {
        try await AdminConfigTests.withAdmin(RecommendTests.withModel) { client, components in
            let catalog = components.dependencies.catalog.snapshot
            let books = catalog.products.values.filter { $0.category == "books" && $0.forSale }.map(\.id).sorted().prefix(3)
            let live = components.rankingConfig.policy.current
            let draft = "rules:\n  excludeCategories: [books]\n  maxPerCategory: 10\n"
            let body = String(data: try JSONSerialization.data(withJSONObject: [
                "items": Array(books), "limit": 10, "placement": "product", "draft": draft,
            ] as [String: Any]), encoding: .utf8)!
            let answer = try await AdminConfigTests.call(
                client, .post, "/admin/v1/preview", token: AdminConfigTests.viewer, headers: [.contentType: "application/json"], body: body)
            #expect(answer.status == .ok, "\(answer.body)")
            let preview = answer.json
            let liveSide = try #require(preview["live"] as? [String: Any])
            let draftSide = try #require(preview["draft"] as? [String: Any])
            #expect(liveSide["configVersion"] as? String == live.version)
            #expect(draftSide["configVersion"] as? String == (try RankingPolicy.parse(yaml: draft)).version)
            let liveItems = liveSide["items"] as? [String] ?? []
            let draftItems = draftSide["items"] as? [String] ?? []
            #expect(liveItems.count == 10 && draftItems.count == 10)
            // The live list follows the viewed books; the draft has none, and says which rule removed them.
            #expect(liveItems.contains { catalog.products[$0]?.category == "books" })
            #expect(!draftItems.contains { catalog.products[$0]?.category == "books" })
            let removed = preview["removedByDraft"] as? [[String: Any]] ?? []
            #expect(removed.contains { $0["rule"] as? String == "excluded_category" })
            let rows = preview["rows"] as? [[String: Any]] ?? []
            let droppedBook = rows.first { ($0["itemId"] as? String).flatMap { catalog.products[$0]?.category } == "books" }
            #expect(droppedBook?["liveRank"] as? Int != nil && droppedBook?["draftRank"] == nil)
            #expect(droppedBook?["draftRemovedBy"] as? String == "excluded_category")
            #expect(droppedBook?["liveComponents"] as? [String: Any] != nil)
            // Items in both lists carry both ranks and the change.
            for row in rows where row["liveRank"] != nil && row["draftRank"] != nil {
                #expect(row["rankChange"] as? Int == (row["liveRank"] as! Int) - (row["draftRank"] as! Int))
            }
            #expect(components.rankingConfig.policy.current.rules == live.rules)
            #expect(try await components.rankingConfig.store.latest()?.digest != RankingConfigStore.digest(draft))

            let bad = String(data: try JSONSerialization.data(withJSONObject: ["items": ["p-00001"], "draft": "rules:\n  maxPerBrand: 0\n"]), encoding: .utf8)!
            let refused = try await AdminConfigTests.call(
                client, .post, "/admin/v1/preview", token: AdminConfigTests.viewer, headers: [.contentType: "application/json"], body: bad)
            #expect(refused.status == .badRequest)
            #expect(refused.body.contains("rules.maxPerBrand"))
            let both = try await AdminConfigTests.call(
                client, .post, "/admin/v1/preview", token: AdminConfigTests.viewer,
                body: #"{"sessionId":"s-1","items":["p-00001"],"draft":""}"#)
            #expect(both.status == .badRequest)
            #expect(try await AdminConfigTests.call(client, .post, "/admin/v1/preview", body: body).status == .unauthorized)
        }
    }
}

extension Int {
    fileprivate var int64: Int64 { Int64(self) }
}

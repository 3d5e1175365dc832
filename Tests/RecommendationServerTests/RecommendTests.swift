import Foundation
import Hummingbird
import HummingbirdTesting
import Compliance
import RedisClient
import TestSupport
import Testing

@testable import RecommendationServer
@testable import SessionRankAdapters
@testable import SessionRankCore
@testable import sessionrank

/// /v1/recommend and /v1/feedback on the real Redis, PostgreSQL and Kafka dev broker, with a
/// model bootstrapped from generated demo sessions.
@Suite(
    "GET/POST /v1/recommend end to end",
    .enabled(if: IntegrationEnvironment.enabled(needs: "SESSIONRANK_POSTGRES_URL", "SESSIONRANK_REDIS_URL", "SESSIONRANK_KAFKA_BOOTSTRAP")),
    .serialized
)
struct RecommendTests {
    static func withModel(_ configuration: inout ServiceConfiguration) {
        configuration.model.snapshotDirectory = "/nonexistent/sessionrank-test"
        configuration.model.bootstrapDemoSessions = 3_000
    }

    func recommend(_ client: any TestClientProtocol, _ query: String) async throws -> RecommendationResponse {
        let answer = try await client.getJSON("/v1/recommend?\(query)")
        #expect(answer.status == .ok, "\(answer.body)")
        return try JSONDecoder().decode(RecommendationResponse.self, from: Data(answer.body.utf8))
    }

    func viewEvents(session: String, items: [String], user: String? = nil) -> String {
        let userField = user.map { #","userId":"\#($0)""# } ?? ""
        return "[" + items.map {
            #"{"eventId":"\#(TestServer.uniqueId("e"))","type":"product_view","sessionId":"\#(session)","itemId":"\#($0)"\#(userField)}"#
        }.joined(separator: ",") + "]"
    }

    @Test("recommendations shift towards the category a session keeps viewing")
    func shiftsTowardsViewedCategory() async throws {
        try await TestServer.withApp(Self.withModel) { client, components in
            let catalog = components.dependencies.catalog.snapshot
            let session = TestServer.uniqueId("s")
            let before = try await recommend(client, "sessionId=\(session)&limit=10")
            #expect(before.items.count == 10)
            #expect(before.degraded == false, "\(before.degradedReasons ?? [])")
            let booksBefore = before.items.filter { catalog.products[$0.itemId]?.category == "books" }.count

            let books = catalog.products.values.filter { $0.category == "books" && $0.forSale }.map(\.id).sorted().prefix(4)
            let posted = try await client.postJSON("/v1/events", viewEvents(session: session, items: Array(books)))
            #expect(posted.status == .accepted)

            let after = try await recommend(client, "sessionId=\(session)&limit=10&placement=product")
            let booksAfter = after.items.filter { catalog.products[$0.itemId]?.category == "books" }.count
            #expect(booksAfter >= 6, "books: \(booksBefore) before, \(booksAfter) after")
            #expect(booksAfter > booksBefore)
            #expect(after.items.map(\.position) == Array(1..<(after.items.count + 1)))
            #expect(after.modelVersion.hasPrefix("m-") && after.configVersion.hasPrefix("cfg-"))
        }
    }

    @Test("itemId records the page view, so one call per page view is enough")
    func itemIdRecordsTheView() async throws {
        try await TestServer.withApp(Self.withModel) { client, components in
            let session = TestServer.uniqueId("s")
            let answer = try await recommend(client, "sessionId=\(session)&itemId=p-00002&requestId=\(TestServer.uniqueId("r"))")
            #expect(!answer.items.contains { $0.itemId == "p-00002" })
            let state = try await components.dependencies.sessions.session(session)
            #expect(state.recentItems.map(\.itemId) == ["p-00002"])
            #expect(state.countsByType["product_view"] == 1)
        }
    }

    @Test("an age-restricted item is withheld from a minor and shown to an adult, with its disclosure")
    func ageRestriction() async throws {
        try await TestServer.withApp(Self.withModel) { client, components in
            let catalog = components.dependencies.catalog.snapshot
            let wine = catalog.products.values.filter { $0.category == "wine_spirits" && $0.forSale && $0.inStock }.map(\.id).sorted()
            try #require(wine.count >= 5)
            for (user, expectWine) in [("demo-adult", true), ("demo-minor", false)] {
                let session = TestServer.uniqueId("s")
                _ = try await client.postJSON("/v1/events", viewEvents(session: session, items: Array(wine.prefix(4)), user: user))
                // debug=true needs a viewer token; the user then comes from a visitor token.
                var headers = StorefrontCredentialTests.visitor(session, user: user)
                headers[.authorization] = "Bearer \(TestServer.viewerToken)"
                let reply = try await client.getJSON("/v1/recommend?sessionId=\(session)&region=NL&limit=20&debug=true", headers: headers)
                #expect(reply.status == .ok, "\(reply.body)")
                let answer = try JSONDecoder().decode(RecommendationResponse.self, from: Data(reply.body.utf8))
                let shown = answer.items.filter { catalog.products[$0.itemId]?.category == "wine_spirits" }
                if expectWine {
                    #expect(!shown.isEmpty, "the adult should see wine")
                    #expect(shown.allSatisfy { $0.disclosure?.isEmpty == false })
                } else {
                    #expect(shown.isEmpty, "a minor must not see \(shown.map(\.itemId))")
                    #expect(answer.removed?.contains { $0.rule == "min_age" && wine.contains($0.itemId) } == true)
                }
            }
        }
    }

    /// The paths an answer can take; the compliance property must hold on each.
    enum AnswerPath: String, CaseIterable, Sendable {
        case normal, modelEmpty, redisDown, postgresDown
    }

    @Test("property: over random visitors and regions no returned item breaks a compliance rule, on every path", arguments: AnswerPath.allCases)
    func complianceProperty(path: AnswerPath) async throws {
        let rules = try ComplianceRules.parse(yaml: String(contentsOfFile: "config/compliance.yaml", encoding: .utf8))
        let generated = DemoPeopleGenerator().users()
        let seed = 2_026 &+ UInt64(AnswerPath.allCases.firstIndex(of: path)!)
        try await TestServer.withApp({ configuration in
            Self.withModel(&configuration)
            configuration.recommend.sessionTimeoutMilliseconds = 300
            configuration.recommend.profileTimeoutMilliseconds = 300
            switch path {
            case .normal: break
            case .modelEmpty: configuration.model.bootstrapDemoSessions = 0
            // Nothing listens on port 1: every read fails at once.
            case .redisDown: configuration.redis.url = "redis://127.0.0.1:1"
            case .postgresDown: configuration.postgres.url = "postgres://sessionrank@127.0.0.1:1/sessionrank"
            }
        }) { client, components in
            if path == .postgresDown {
                components.dependencies.catalog.replace(with: CatalogSnapshot(products: DemoDataGenerator().products()))
            }
            let catalog = components.dependencies.catalog.snapshot
            let restricted = catalog.products.values.filter { $0.minAge > 0 || $0.requiresKYC || $0.riskLevel > 0 }.map(\.id).sorted()
            var random = SeededRandom(seed: seed)
            var checked = 0
            for _ in 0..<12 {
                let user = random.chance(0.15) ? nil : random.pick(generated)
                let region = random.pick(["NL", "BE", "DE", "FR", "GB", "SE", "US"])
                let session = TestServer.uniqueId("s")
                let seen = (0..<4).map { _ in random.pick(restricted) }
                let userQuery = user.map { "&userId=\($0.id)" } ?? ""
                _ = try await client.postJSON("/v1/events", viewEvents(session: session, items: seen, user: user?.id))
                let answer = try await recommend(client, "sessionId=\(session)\(userQuery)&itemId=\(seen[0])&region=\(region)&limit=30")
                if path != .normal { #expect(answer.degraded, "\(path) must say degraded") }
                // With PostgreSQL down nothing about the visitor is known.
                let profile = path == .postgresDown ? nil : user.map(UserProfile.init(demo:))
                for item in answer.items {
                    let product = try #require(catalog.products[item.itemId])
                    let violation = ComplianceOracle.violation(product: product, user: profile, region: region, rules: rules, now: Date())
                    #expect(violation == nil, "\(path): \(user?.id ?? "anonymous") in \(region) got \(item.itemId): \(violation ?? "")")
                    checked += 1
                }
            }
            #expect(checked > 100, "the property must see items to mean anything")
        }
    }

    @Test("without consent the answer is non-personal and nothing is stored")
    func noConsent() async throws {
        try await TestServer.withApp(Self.withModel) { client, components in
            let session = TestServer.uniqueId("s")
            let answer = try await recommend(client, "sessionId=\(session)&userId=demo-no-consent&itemId=p-00003")
            #expect(answer.personalized == false)
            #expect(!answer.items.isEmpty)
            #expect(try await components.dependencies.sessions.session(session).isEmpty)
        }
    }

    @Test("every answer publishes a served record; POST /v1/feedback and attributed events reach topic feedback")
    func servedAndFeedbackRecords() async throws {
        try await TestServer.withApp(Self.withModel) { client, _ in
            let session = TestServer.uniqueId("s")
            let answer = try await recommend(client, "sessionId=\(session)&limit=5")
            let first = try #require(answer.items.first)

            let feedback = try await client.postJSON(
                "/v1/feedback",
                #"{"recommendationId":"\#(answer.recommendationId)","sessionId":"\#(session)","type":"click","itemId":"\#(first.itemId)","position":1}"#)
            #expect(feedback.status == .accepted)
            _ = try await client.postJSON(
                "/v1/events",
                #"[{"eventId":"\#(TestServer.uniqueId("e"))","type":"add_to_cart","sessionId":"\#(session)","itemId":"\#(first.itemId)","recommendationId":"\#(answer.recommendationId)","position":1}]"#)

            let records = try await readFeedback(recommendationId: answer.recommendationId, count: 3)
            let served = try #require(records.first { $0.kind == "served" })
            #expect(served.sessionId == session)
            #expect(served.items?.map(\.itemId) == answer.items.map(\.itemId))
            #expect(served.items?.map(\.position) == Array(1..<(answer.items.count + 1)))
            #expect(served.modelVersion == answer.modelVersion)
            #expect(served.latencyMicroseconds.map { $0 > 0 } == true)
            #expect(Set(records.filter { $0.kind == "feedback" }.compactMap(\.source)) == ["api", "event"])
            #expect(records.filter { $0.kind == "feedback" }.allSatisfy { $0.itemId == first.itemId })
        }
    }

    @Test("bad requests get a 400 naming the parameter")
    func badInput() async throws {
        try await TestServer.withApp(Self.withModel) { client, _ in
            for (query, field) in [
                ("limit=5", "sessionId"), ("sessionId=s&limit=0", "limit"), ("sessionId=s&limit=99999", "limit"),
                ("sessionId=s&placement=moon", "placement"), ("sessionId=s&region=nl", "context.region"),
                ("sessionId=s&debug=maybe", "debug"), ("sessionId=s&colour=red", "colour"), ("sessionId=a%01b", "sessionId"),
            ] {
                let answer = try await client.getJSON("/v1/recommend?\(query)")
                #expect(answer.status == .badRequest, "\(query)")
                #expect(answer.body.contains(#""field":"\#(field)""#), "\(query): \(answer.body)")
            }
            let post = try await client.postJSON("/v1/recommend", #"{"sessionId":"s","exclude":"p-1"}"#)
            #expect(post.status == .badRequest && post.body.contains(#""field":"exclude""#))
            let feedback = try await client.postJSON("/v1/feedback", #"{"recommendationId":"r","sessionId":"s","type":"click"}"#)
            #expect(feedback.status == .badRequest && feedback.body.contains(#""field":"itemId""#))
        }
    }

    @Test("POST takes exclude and context")
    func postForm() async throws {
        try await TestServer.withApp(Self.withModel) { client, _ in
            let session = TestServer.uniqueId("s")
            let first = try await recommend(client, "sessionId=\(session)&limit=5")
            let excluded = first.items.prefix(3).map(\.itemId)
            let body = #"{"sessionId":"\#(session)","limit":5,"exclude":[\#(excluded.map { "\"\($0)\"" }.joined(separator: ","))],"context":{"region":"NL","device":"mobile"}}"#
            let answer = try await client.postJSON("/v1/recommend", body)
            #expect(answer.status == .ok)
            let decoded = try JSONDecoder().decode(RecommendationResponse.self, from: Data(answer.body.utf8))
            #expect(decoded.items.count == 5)
            #expect(Set(decoded.items.map(\.itemId)).isDisjoint(with: excluded))
        }
    }
}

/// Fallbacks: each test owns what it breaks, so the shared servers stay up for the other suites.
@Suite(
    "/v1/recommend fallbacks",
    .enabled(if: IntegrationEnvironment.enabled(needs: "SESSIONRANK_POSTGRES_URL", "SESSIONRANK_REDIS_URL", "SESSIONRANK_KAFKA_BOOTSTRAP")),
    .serialized
)
struct RecommendFallbackTests {
    @Test("Redis paused (SIGSTOP) or stopped: 200, degraded, within budget, and recovery without restart")
    func redisDown() async throws {
        let binary = try #require(RedisServerProcess.locateBinary(), "redis-server is needed")
        let redis = try await RedisServerProcess(binary: binary)
        try await TestServer.withApp({ configuration in
            RecommendTests.withModel(&configuration)
            configuration.redis.url = "redis://127.0.0.1:\(redis.port)"
            configuration.redis.commandTimeoutMilliseconds = 200
            configuration.recommend.sessionTimeoutMilliseconds = 200
        }) { client, _ in
            let session = TestServer.uniqueId("s")
            let healthy = try await decode(client.getJSON("/v1/recommend?sessionId=\(session)&itemId=p-00010"))
            #expect(healthy.degraded == false)

            redis.pause()
            let started = ContinuousClock.now
            let paused = try await decode(client.getJSON("/v1/recommend?sessionId=\(session)&itemId=p-00010"))
            let elapsed = ContinuousClock.now - started
            #expect(paused.degraded && paused.degradedReasons?.contains(.sessionStore) == true)
            #expect(!paused.items.isEmpty, "current item and popularity still answer")
            // The session read and the page-view write each give up after 200 ms, in parallel.
            #expect(elapsed < .seconds(2), "\(elapsed)")
            redis.resume()

            try await redis.stop()
            let stopped = try await decode(client.getJSON("/v1/recommend?sessionId=\(session)&itemId=p-00010"))
            #expect(stopped.degraded && !stopped.items.isEmpty)

            try await redis.start()
            var recovered = false
            for _ in 0..<50 where !recovered {
                try await Task.sleep(for: .milliseconds(100))
                recovered = try await !decode(client.getJSON("/v1/recommend?sessionId=\(session)&itemId=p-00010")).degraded
            }
            #expect(recovered, "the service recovers when Redis is back")
        }
        try await redis.stop()
    }

    @Test("Redis answering OOM to writes: recommend 200 degraded, events 202 degraded and still published, recovery without restart")
    func redisOutOfMemory() async throws {
        let binary = try #require(RedisServerProcess.locateBinary(), "redis-server is needed")
        let redis = try await RedisServerProcess(binary: binary)
        try await RedisClient.withRunningClient(configuration: redis.configuration) { admin in
            try await TestServer.withApp({ configuration in
                RecommendTests.withModel(&configuration)
                configuration.redis.url = "redis://127.0.0.1:\(redis.port)"
            }) { client, _ in
                let session = TestServer.uniqueId("s")
                let healthy = try await decode(client.getJSON("/v1/recommend?sessionId=\(session)&itemId=p-00010"))
                #expect(healthy.degraded == false)

                // Every write now fails with "-OOM command not allowed when used memory > 'maxmemory'".
                try await admin.send("CONFIG", "SET", "maxmemory-policy", "noeviction")
                try await admin.send("CONFIG", "SET", "maxmemory", "1")
                let started = ContinuousClock.now
                let oom = try await decode(client.getJSON("/v1/recommend?sessionId=\(session)&itemId=p-00011"))
                #expect(ContinuousClock.now - started < .seconds(2))
                #expect(oom.degraded && oom.degradedReasons?.contains(.eventNotRecorded) == true, "\(oom.degradedReasons ?? [])")
                #expect(!oom.items.isEmpty, "the session read still works, so ranking goes on")

                let posted = try await client.postJSON(
                    "/v1/events", #"{"eventId":"\#(TestServer.uniqueId("e"))","type":"product_view","sessionId":"\#(session)","itemId":"p-00012"}"#)
                #expect(posted.status == .accepted, "\(posted.body)")
                #expect(posted.body.contains(#""degraded":true"#), "\(posted.body)")
                #expect(posted.body.contains(#""accepted":1"#), "the event is acknowledged and published without session state")

                try await admin.send("CONFIG", "SET", "maxmemory", "0")
                let recovered = try await decode(client.getJSON("/v1/recommend?sessionId=\(session)&itemId=p-00013"))
                #expect(recovered.degraded == false, "\(recovered.degradedReasons ?? [])")
            }
        }
        try await redis.stop()
    }

    @Test("PostgreSQL paused (SIGSTOP): cached profiles still serve, unknown visitors fail closed, then recovery")
    func postgresPaused() async throws {
        let postgres = try PostgresServerProcess(port: try await freeLoopbackPort())
        defer { postgres.remove() }
        try await seedDemoData(into: postgres.url)
        try await TestServer.withApp({ configuration in
            RecommendTests.withModel(&configuration)
            configuration.postgres.url = postgres.url
            configuration.recommend.profileTimeoutMilliseconds = 300
        }) { client, components in
            let catalog = components.dependencies.catalog.snapshot
            func wine(_ answer: RecommendationResponse) -> [String] {
                answer.items.map(\.itemId).filter { catalog.products[$0]?.category == "wine_spirits" }
            }
            // Warm: the adult's profile is read (and cached) while PostgreSQL answers.
            let warm = try await decode(client.getJSON("/v1/recommend?sessionId=\(TestServer.uniqueId("s"))&userId=demo-adult&itemId=p-00057&region=NL&limit=20"))
            #expect(!warm.degraded && !wine(warm).isEmpty)

            try postgres.pause()
            let cached = try await decode(client.getJSON("/v1/recommend?sessionId=\(TestServer.uniqueId("s"))&userId=demo-adult&itemId=p-00057&region=NL&limit=20"))
            #expect(!wine(cached).isEmpty, "the cached profile keeps serving the adult")
            let started = ContinuousClock.now
            let unknown = try await decode(client.getJSON("/v1/recommend?sessionId=\(TestServer.uniqueId("s"))&userId=u-0007&itemId=p-00057&region=NL&limit=40"))
            #expect(ContinuousClock.now - started < .seconds(3))
            #expect(unknown.degraded && unknown.degradedReasons?.contains(.profileStore) == true)
            #expect(!unknown.items.isEmpty)
            for item in unknown.items {
                let product = try #require(catalog.products[item.itemId])
                #expect(product.minAge == 0 && !product.requiresKYC, "unknown age and KYC must withhold \(item.itemId)")
            }
            try postgres.resume()

            var recovered = false
            for attempt in 0..<50 where !recovered {
                try await Task.sleep(for: .milliseconds(100))
                let answer = try await decode(client.getJSON("/v1/recommend?sessionId=\(TestServer.uniqueId("s"))&userId=u-00\(10 + attempt)&limit=5"))
                recovered = !answer.degraded
            }
            #expect(recovered, "profiles are read again once PostgreSQL answers")

            try postgres.stop()
            let stopped = try await decode(client.getJSON("/v1/recommend?sessionId=\(TestServer.uniqueId("s"))&userId=u-0099&limit=5"))
            #expect(stopped.degraded && !stopped.items.isEmpty)
        }
    }

    @Test("no model: catalog order, degraded model_empty, compliance still applies")
    func noModel() async throws {
        try await TestServer.withApp({ $0.model.snapshotDirectory = "/nonexistent"; $0.model.bootstrapDemoSessions = 0 }) { client, components in
            let catalog = components.dependencies.catalog.snapshot
            let answer = try await decode(client.getJSON("/v1/recommend?sessionId=\(TestServer.uniqueId("s"))&userId=demo-minor&region=NL&limit=20"))
            #expect(answer.degradedReasons?.contains(.modelEmpty) == true)
            #expect(answer.items.count == 20)
            #expect(answer.items.allSatisfy { (catalog.products[$0.itemId]?.minAge ?? 99) < 14 })
        }
    }

    func decode(_ answer: (status: HTTPResponse.Status, body: String)) throws -> RecommendationResponse {
        #expect(answer.status == .ok, "\(answer.body)")
        return try JSONDecoder().decode(RecommendationResponse.self, from: Data(answer.body.utf8))
    }
}

import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import RecommendationServer
@testable import SessionRankAdapters
@testable import SessionRankCore

/// `/admin/v1/replay` on the real stack: sessions posted through `/v1/events` go to the test dev
/// broker, and the replay reads them back and ranks them under the live config and a draft.
/// In the admin suite (serialized) because it reads the live config that suite changes.
extension AdminConfigTests {
    /// Views of `items` in one session, `offset` seconds ahead of now, a second apart: ahead of
    /// what other suites post, so these are the newest sessions in the log. Every test of the
    /// suite posts at `replayOffset`, so the sessions of the test that posted last are the newest.
    static func replayViews(session: String, items: [String], offset: Double) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return "[" + items.enumerated().map { index, item in
            let at = formatter.string(from: Date().addingTimeInterval(offset + Double(index)))
            return #"{"eventId":"\#(TestServer.uniqueId("e"))","type":"product_view","sessionId":"\#(session)","itemId":"\#(item)","timestamp":"\#(at)","context":{"region":"DE"}}"#
        }.joined(separator: ",") + "]"
    }

    static let replayOffset = 280.0

    static func startReplay(_ client: any TestClientProtocol, _ body: [String: Any]) async throws -> Answer {
        let text = String(data: try JSONSerialization.data(withJSONObject: body), encoding: .utf8)!
        return try await call(client, .post, "/admin/v1/replay", token: viewer, headers: [.contentType: "application/json"], body: text)
    }

    /// Starts a replay and polls it until it has finished; the finished report as JSON.
    static func replay(_ client: any TestClientProtocol, draft: String, sessions: Int) async throws -> [String: Any] {
        let started = try await startReplay(client, ["draft": draft, "sessions": sessions, "placement": "product"])
        #expect(started.status == .accepted, "\(started.body)")
        let id = try #require(started.json["id"] as? String)
        #expect(started.headers[.location] == "/admin/v1/replay/\(id)")
        #expect(started.json["status"] as? String == "running")
        let deadline = ContinuousClock.now + .seconds(90)
        while ContinuousClock.now < deadline {
            let polled = try await call(client, .get, "/admin/v1/replay/\(id)", token: viewer)
            #expect(polled.status == .ok, "\(polled.body)")
            if polled.json["status"] as? String != "running" { return polled.json }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("replay \(id) did not finish within 90 s")
        return [:]
    }

    /// An estimate's value, and whether its interval holds it.
    static func value(_ estimate: Any?) -> Double? {
        func number(_ any: Any?) -> Double? { (any as? Double) ?? (any as? Int).map(Double.init) }
        guard let e = estimate as? [String: Any], let value = number(e["value"]), let low = number(e["low"]), let high = number(e["high"])
        else { return nil }
        #expect(low <= value && value <= high, "\(e)")
        return value
    }

    @Test("replay: live vs a draft on sessions read back from the log; weights, an identical draft and a business rule")
    func replayDrafts() async throws {
        try await Self.withAdmin(RecommendTests.withModel) { client, components in
            let catalog = components.dependencies.catalog.snapshot
            let books = catalog.products.values.filter { $0.category == "books" && $0.forSale }.map(\.id).sorted()
            let toys = catalog.products.values.filter { $0.category != "books" && $0.forSale && $0.minAge == 0 }.map(\.id).sorted()
            #expect(books.count >= 12 && toys.count >= 12)
            let sessions = (0..<6).map { TestServer.uniqueId("replay-\($0)") }
            for (index, session) in sessions.enumerated() {
                let items = [books[index * 2], toys[index * 2], books[index * 2 + 1], toys[index * 2 + 1]]
                let posted = try await client.postJSON("/v1/events", Self.replayViews(session: session, items: items, offset: Self.replayOffset + Double(index)))
                #expect(posted.status == .accepted, "\(posted.body)")
            }
            let live = components.rankingConfig.policy.current
            let identical = try RankingPolicy.parse(yaml: Self.shipped + "\n# identical ranking\n")
            #expect(live.engine == identical.engine && live.rules == identical.rules, "the live config ranks like the shipped file")

            // Identical ranking: every figure is the same on both sides, no rule differs.
            let same = try await Self.replay(client, draft: Self.shipped + "\n# identical ranking\n", sessions: sessions.count)
            #expect(same["status"] as? String == "done", "\(same)")
            let sameResult = try #require(same["result"] as? [String: Any])
            #expect(sameResult["sessionsEvaluated"] as? Int == sessions.count, "\(sameResult)")
            #expect(sameResult["sessionsRead"] as? Int == sessions.count)
            #expect(sameResult["predictions"] as? Int == sessions.count * 3, "one per view after the first")
            #expect(sameResult["truncated"] as? Bool == false)
            for figure in ["mrr", "hitRate", "coverage"] {
                let comparison = try #require(sameResult[figure] as? [String: Any])
                let l = try #require(Self.value(comparison["live"]))
                #expect((0...1).contains(l))
                #expect(Self.value(comparison["draft"]) == l, "\(figure): \(comparison)")
                #expect(Self.value(comparison["difference"]) == 0)
            }
            let sameRules = sameResult["rules"] as? [[String: Any]] ?? []
            for rule in sameRules { #expect(Self.value(rule["changed"]) == 0, "\(rule)") }

            // Other weights: figures computed for both sides, in range, no rule of the config involved.
            let weighted = Self.shipped.replacingOccurrences(of: "recent: 1.36", with: "recent: 0.1")
                .replacingOccurrences(of: "popularity: 0.002", with: "popularity: 0.5")
            #expect(weighted != Self.shipped)
            let reweighted = try await Self.replay(client, draft: weighted, sessions: sessions.count)
            let reweightedResult = try #require(reweighted["result"] as? [String: Any], "\(reweighted)")
            #expect(reweightedResult["predictions"] as? Int == sessions.count * 3)
            for figure in ["mrr", "hitRate", "coverage"] {
                let comparison = try #require(reweightedResult[figure] as? [String: Any])
                #expect(Self.value(comparison["live"]).map { (0...1).contains($0) } == true)
                #expect(Self.value(comparison["draft"]).map { (0...1).contains($0) } == true)
            }
            #expect(reweighted["draftConfigVersion"] as? String != reweighted["liveConfigVersion"] as? String)
            let rules = reweightedResult["rules"] as? [[String: Any]] ?? []
            #expect(rules.first { $0["rule"] as? String == "excluded_category" } == nil)

            // A business rule: excluding books changes answers of these book-heavy sessions.
            let noBooks = Self.shipped.replacingOccurrences(of: "excludeCategories: []", with: "excludeCategories: [books]")
            #expect(noBooks != Self.shipped)
            let excluded = try await Self.replay(client, draft: noBooks, sessions: sessions.count)
            let excludedResult = try #require(excluded["result"] as? [String: Any], "\(excluded)")
            let rule = try #require((excludedResult["rules"] as? [[String: Any]])?.first { $0["rule"] as? String == "excluded_category" })
            #expect(rule["kind"] as? String == "business")
            #expect(Self.value(rule["live"]) == 0)
            let changed = try #require(Self.value(rule["changed"]))
            #expect(changed > 0 && changed <= Double(sessions.count * 3), "\(rule)")
            #expect(Self.value(rule["draft"]) == changed)
            #expect((excludedResult["intervals"] as? String)?.contains("bootstrap") == true)
        }
    }

    @Test("replay: bad input is a 400 naming the field; unknown id 404; a viewer token is needed")
    func replayBadInput() async throws {
        try await Self.withAdmin { client, _ in
            let draft = Self.shipped
            let cases: [([String: Any], String)] = [
                (["draft": draft, "sessions": 0], "sessions"),
                (["draft": draft, "sessions": 20_001], "sessions"),
                (["draft": draft, "sessions": "many"], "sessions"),
                (["draft": draft, "hours": 25], "hours"),
                (["draft": draft, "placement": "checkout"], "placement"),
                (["sessions": 10], "draft"),
                (["draft": "rules:\n  maxPerBrand: 0\n"], "rules.maxPerBrand"),
            ]
            for (body, field) in cases {
                let answer = try await Self.startReplay(client, body)
                #expect(answer.status == .badRequest, "\(body): \(answer.body)")
                let error = answer.json["error"] as? [String: Any]
                #expect(error?["field"] as? String == field, "\(body): \(answer.body)")
                #expect((error?["message"] as? String)?.isEmpty == false)
            }
            let malformed = try await Self.call(
                client, .post, "/admin/v1/replay", token: Self.viewer, headers: [.contentType: "application/json"], body: "{not json")
            #expect(malformed.status == .badRequest)
            #expect(try await Self.call(client, .get, "/admin/v1/replay/rp-unknown", token: Self.viewer).status == .notFound)
            let anonymous = try await Self.call(client, .post, "/admin/v1/replay", headers: [.contentType: "application/json"], body: "{}")
            #expect(anonymous.status == .unauthorized)
        }
    }

    @Test("replay: one at a time (409 while one runs); a log that cannot be read fails the replay with the cause")
    func replayOneAtATime() async throws {
        try await Self.withAdmin { _, components in
            var kafka = components.dependencies.configuration.kafka
            kafka.bootstrapServers = "127.0.0.1:1"
            let runner = ReplayRunner(
                history: KafkaEventHistory(settings: kafka, logger: TestServer.logger), service: components.dependencies.recommender,
                budgetSeconds: 30, logger: TestServer.logger)
            let live = components.rankingConfig.policy.current
            let plan = try ReplayRequest(draft: Self.shipped).plan(draft: live, live: live)
            let first = try runner.start(plan)
            #expect(first.status == .running)
            let error = #expect(throws: APIError.self) { try runner.start(plan) }
            #expect(error?.statusCode == .conflict && error?.code == "replay_running")
            #expect(error?.message.contains(first.id) == true)
            let deadline = ContinuousClock.now + .seconds(40)
            while runner.report(first.id)?.status == .running, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
            let report = try #require(runner.report(first.id))
            #expect(report.status == .failed)
            #expect(report.error?.code == "event_log_unavailable")
            // Done: the next one may start.
            #expect(try runner.start(plan).status == .running)
        }
    }
}

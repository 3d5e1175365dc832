import Foundation
import Hummingbird
import HummingbirdTesting
import Prometheus
import Testing

@testable import RecommendationServer
@testable import SessionRankAdapters
@testable import SessionRankCore

@Suite("Ranking experiments")
struct ExperimentTests {
    static let config = """
        engine:
          weights: {knn: 1.0, interest: 0.2}
        rules:
          maxPerCategory: 6
        experiments:
          interest-up:
            variants:
              control: {share: 0.5}
              more-interest: {share: 0.3, engine: {weights: {interest: 0.6}}, rules: {maxPerBrand: 2}}
              no-cap: {share: 0.2, rules: {maxPerCategory: 10}}
        """

    @Test("variants are partial overrides of the base config")
    func partialOverrides() throws {
        let policy = try RankingPolicy.parse(yaml: Self.config)
        let experiment = try #require(policy.experiment)
        #expect(experiment.name == "interest-up")
        #expect(experiment.variants.map(\.name) == ["control", "more-interest", "no-cap"])
        let control = experiment.variants[0].policy
        let more = experiment.variants[1].policy
        let noCap = experiment.variants[2].policy
        #expect(control.engine == policy.engine && control.rules == policy.rules)
        #expect(more.engine.weights.interest == 0.6)
        #expect(more.engine.weights.knn == 1.0)
        #expect(more.rules.maxPerCategory == 6 && more.rules.maxPerBrand == 2)
        #expect(noCap.rules.maxPerCategory == 10 && noCap.engine == policy.engine)
    }

    @Test("bad experiments are refused, naming the field")
    func validation() {
        func error(_ yaml: String) -> ConfigurationError? {
            do { _ = try RankingPolicy.parse(yaml: yaml); return nil } catch { return error }
        }
        #expect(error("experiments:\n  a:\n    variants:\n      control: {share: 0.5}\n      b: {share: 0.4}\n")?.message.contains("sum to 1") == true)
        #expect(error("experiments:\n  a:\n    variants:\n      x: {share: 0.5}\n      b: {share: 0.5}\n")?.field == "experiments.a.variants")
        #expect(error("experiments:\n  a:\n    variants:\n      control: {share: 1.5}\n")?.field == "experiments.a.variants.control.share")
        #expect(error("experiments:\n  a:\n    variants:\n      control: {share: 0.5}\n      b: {share: 0.5, rules: {maxPerBrand: 0}}\n")?.field
            == "experiments.a.variants.b.rules.maxPerBrand")
        #expect(error("experiments:\n  a:\n    variants:\n      control: {share: 1, weights: {knn: 2}}\n")?.field == "experiments.a.variants.control.weights")
        #expect(error("experiments:\n  a: {variants: {control: {share: 1}}}\n  b: {variants: {control: {share: 1}}}\n")?.message
            == "only one experiment may run at a time")
        #expect(error("experiment:\n  a: {variants: {control: {share: 1}}}\n")?.field == "experiment")
        #expect(error("experiments:\n  Bad Name: {variants: {control: {share: 1}}}\n")?.field == "experiments.Bad Name")
    }

    @Test("the shipped ranking files parse, the campaign example with a placement and an experiment")
    func shippedFiles() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../config").standardized
        let base = try RankingPolicy.load(path: folder.appendingPathComponent("ranking.yaml").path)
        #expect(base.experiment == nil && base.placements.isEmpty)
        let campaign = try RankingPolicy.load(path: folder.appendingPathComponent("ranking-black-friday.yaml").path)
        #expect(campaign.forPlacement("cart").rules.maxPerCategory == 3)
        #expect(campaign.experiment?.variants.map(\.name) == ["control", "hot"])
    }

    @Test("placement overrides merge into the base and into every variant; bad ones name the field")
    func placements() throws {
        let policy = try RankingPolicy.parse(yaml: Self.config + """

            placements:
              cart: {rules: {maxPerCategory: 3}}
              home: {engine: {weights: {knn: 0.5}}}
            """)
        #expect(policy.forPlacement("cart").rules.maxPerCategory == 3)
        #expect(policy.forPlacement("cart").engine == policy.engine)
        #expect(policy.forPlacement("home").engine.weights.knn == 0.5)
        #expect(policy.forPlacement("home").engine.weights.interest == 0.2)
        #expect(policy.forPlacement("product") == policy)
        #expect(policy.forPlacement("cart").version == policy.version)
        // A variant's own overrides stay under the placement's.
        let more = try #require(policy.experiment?.variants.first { $0.name == "more-interest" }).policy
        #expect(more.forPlacement("cart").rules.maxPerCategory == 3 && more.forPlacement("cart").rules.maxPerBrand == 2)
        #expect(more.forPlacement("home").engine.weights.interest == 0.6 && more.forPlacement("home").engine.weights.knn == 0.5)

        func error(_ yaml: String) -> ConfigurationError? {
            do { _ = try RankingPolicy.parse(yaml: yaml); return nil } catch { return error }
        }
        #expect(error("placements:\n  checkout: {rules: {maxPerBrand: 2}}\n")?.field == "placements.checkout")
        #expect(error("placements:\n  cart: {rules: {maxPerBrand: 0}}\n")?.field == "placements.cart.rules.maxPerBrand")
        #expect(error("placements:\n  cart: {boosts: []}\n")?.field == "placements.cart.boosts")
    }

    @Test("a session always gets the same variant, and traffic splits by share")
    func stableAssignment() throws {
        let policy = try RankingPolicy.parse(yaml: Self.config)
        var tally: [String: Int] = [:]
        for index in 0..<20_000 {
            let session = "session-\(index)"
            let first = policy.assign(session)
            #expect(policy.assign(session).variant == first.variant)
            // Re-parsing (another replica, a restart) assigns the same.
            if index < 50 { #expect(try RankingPolicy.parse(yaml: Self.config).assign(session).variant == first.variant) }
            tally[first.variant, default: 0] += 1
        }
        #expect(abs(Double(tally["control"] ?? 0) / 20_000 - 0.5) < 0.02)
        #expect(abs(Double(tally["more-interest"] ?? 0) / 20_000 - 0.3) < 0.02)
        #expect(abs(Double(tally["no-cap"] ?? 0) / 20_000 - 0.2) < 0.02)
        // The variant policy keeps the config's version, so responses trace to the stored config.
        #expect(policy.assign("session-1").policy.version == policy.version)
        #expect(RankingPolicy.default.assign("s").variant == "control")
    }

    @Test("feedback is attributed to the variant through the recommendation id; the map stays bounded")
    func tracker() {
        let tracker = ExperimentTracker(registry: PrometheusCollectorRegistry(), capacity: 3)
        tracker.served(recommendationId: "r1", experiment: "e", variant: "control", items: 10)
        tracker.served(recommendationId: "r2", experiment: "e", variant: "b", items: 8)
        tracker.feedback(recommendationId: "r1", type: .click)
        tracker.feedback(recommendationId: "r2", type: .purchase)
        tracker.feedback(recommendationId: "r2", type: .dismiss)
        tracker.feedback(recommendationId: "unknown", type: .click)
        for index in 3...6 { tracker.served(recommendationId: "r\(index)", experiment: "e", variant: "b", items: 1) }
        // r1 was evicted: its late click is not counted.
        tracker.feedback(recommendationId: "r1", type: .click)
        let counts = tracker.counts(experiment: "e")
        #expect(counts["control"] == .init(served: 1, impressions: 10, clicks: 1, purchases: 0))
        #expect(counts["b"] == .init(served: 5, impressions: 12, clicks: 0, purchases: 1))
    }

    @Test("live KPIs: per-second requests, p99, impressions and clicks over the last minute")
    func liveKPIs() {
        let kpis = LiveKPIs()
        let now = 1_000_000.5
        for latency in 1...100 { kpis.served(items: 10, latencyMicroseconds: latency * 1_000, at: now) }
        kpis.clicked(at: now)
        kpis.served(items: 5, latencyMicroseconds: 3_000, at: now - 2)
        kpis.served(items: 5, latencyMicroseconds: 3_000, at: now - 61)  // outside the window
        let minute = kpis.lastMinute(now: now)
        #expect(minute.count == 60 && minute.last?.at == 1_000_000)
        #expect(minute.last == .init(at: 1_000_000, requests: 100, p99Milliseconds: 99, impressions: 1_000, clicks: 1))
        #expect(minute[57].requests == 1 && minute[57].p99Milliseconds == 3)
        #expect(minute.reduce(0) { $0 + $1.requests } == 101)
    }

    @Test("the interval on the difference from control is the two-proportion normal approximation")
    func interval() throws {
        let interval = try #require(ExperimentResults.interval(120, 1_000, 100, 1_000))
        #expect(abs(interval.difference - 0.02) < 1e-12)
        let se = (0.12 * 0.88 / 1_000 + 0.1 * 0.9 / 1_000).squareRoot()
        #expect(abs(interval.low - (0.02 - 1.96 * se)) < 1e-12 && abs(interval.high - (0.02 + 1.96 * se)) < 1e-12)
        #expect(ExperimentResults.interval(1, 0, 1, 10) == nil)
    }
}

/// In the admin suite, which is serialized: it writes the shared config table.
extension AdminConfigTests {
    @Test("responses carry the variant; clicks reach /admin/v1/experiments and /metrics")
    func experimentEndToEnd() async throws {
        // Both variants rank exactly like the shipped file, so suites running meanwhile see no change.
        let yaml = AdminConfigTests.shipped + """

            experiments:
              e2e:
                variants:
                  control: {share: 0.5}
                  same: {share: 0.5, rules: {explorationShare: 0.0}}
            # \(TestServer.uniqueId("exp"))
            """
        try await AdminConfigTests.withAdmin { client, components in
            let put = try await AdminConfigTests.put(client, yaml: yaml, ifMatch: try await AdminConfigTests.current(client).etag)
            #expect(put.status == .ok, "\(put.body)")
            let policy = components.rankingConfig.policy.current
            var seen: Set<String> = []
            var clicked = 0
            for index in 0..<12 {
                let session = TestServer.uniqueId("exp-\(index)")
                let answer = try await client.getJSON("/v1/recommend?sessionId=\(session)&limit=5")
                let response = try JSONDecoder().decode(RecommendationResponse.self, from: Data(answer.body.utf8))
                #expect(response.variant == policy.assign(session).variant)
                seen.insert(response.variant)
                if response.variant == "same", let item = response.items.first {
                    let feedback = #"{"recommendationId":"\#(response.recommendationId)","sessionId":"\#(session)","type":"click","itemId":"\#(item.itemId)"}"#
                    #expect(try await client.postJSON("/v1/feedback", feedback).status == .accepted)
                    clicked += 1
                }
            }
            let results = try await AdminConfigTests.call(client, .get, "/admin/v1/experiments", token: AdminConfigTests.viewer)
            #expect(results.status == .ok)
            #expect(results.json["experiment"] as? String == "e2e")
            let variants = results.json["variants"] as? [[String: Any]] ?? []
            let same = variants.first { $0["name"] as? String == "same" }
            #expect(same?["clicks"] as? Int == clicked)
            #expect(((same?["served"] as? Int) ?? 0) + ((variants.first { $0["name"] as? String == "control" }?["served"] as? Int) ?? 0) == 12)
            let kpis = try await AdminConfigTests.call(client, .get, "/admin/v1/kpis", token: AdminConfigTests.viewer)
            let seconds = kpis.json["seconds"] as? [[String: Any]] ?? []
            #expect(seconds.count == 60)
            #expect(seconds.reduce(0) { $0 + (($1["requests"] as? Int) ?? 0) } >= 12)
            #expect(seconds.reduce(0) { $0 + (($1["clicks"] as? Int) ?? 0) } >= clicked)
            let metrics = try await client.getJSON("/metrics")
            #expect(metrics.body.contains(#"sessionrank_experiment_impressions_total{experiment="e2e""#))
            if clicked > 0 { #expect(metrics.body.contains(#"sessionrank_experiment_clicks_total{experiment="e2e",variant="same"}"#)) }
            #expect(seen.isSubset(of: ["control", "same"]))

            // Back to the shipped ranking without an experiment.
            _ = try await AdminConfigTests.put(client, yaml: AdminConfigTests.harmless("exp-end"), ifMatch: try await AdminConfigTests.current(client).etag)
        }
    }
}

import Foundation
import Testing
@testable import LoadCore

@Suite struct CorrectnessAndBodiesTests {
    static let catalog = Catalog([
        CatalogItem(itemId: "p-1", category: "books"),
        CatalogItem(itemId: "p-2", category: "toys"),
        CatalogItem(itemId: "p-3", category: "wine_spirits", minAge: 18),
        CatalogItem(itemId: "p-4", category: "books", regions: ["US"]),
    ])

    @Test func categoryShare() {
        #expect(CorrectnessChecks.share(of: "books", in: ["p-1", "p-2", "p-4", "unknown"], catalog: Self.catalog) == 2.0 / 3.0)
        #expect(CorrectnessChecks.share(of: "books", in: ["unknown"], catalog: Self.catalog) == nil)
        #expect(CorrectnessChecks.shiftPassed(before: 0.1, after: 0.5))
        #expect(!CorrectnessChecks.shiftPassed(before: 0.5, after: 0.5))
    }

    @Test func complianceViolations() {
        let minor = TestUser(userId: "demo-minor", age: 16, region: "DE")
        let adult = TestUser(userId: "demo-adult", age: 30, region: "DE")
        let unknownAge = TestUser(userId: "u", age: nil, region: nil)
        #expect(CorrectnessChecks.violations(user: minor, region: "DE", itemIds: ["p-1", "p-3"], catalog: Self.catalog).count == 1)
        #expect(CorrectnessChecks.violations(user: adult, region: "DE", itemIds: ["p-1", "p-3"], catalog: Self.catalog).isEmpty)
        #expect(CorrectnessChecks.violations(user: unknownAge, region: "US", itemIds: ["p-3"], catalog: Self.catalog).count == 1)
        #expect(CorrectnessChecks.violations(user: adult, region: "DE", itemIds: ["p-4"], catalog: Self.catalog).count == 1)
    }

    @Test func catalogTSVAndJSON() throws {
        let tsv = try Catalog.parseTSV("itemId\tcategory\tminAge\tregions\np-1\tbooks\t0\t\np-2\twine\t18\tDE,FR\n")
        #expect(tsv.items["p-2"] == CatalogItem(itemId: "p-2", category: "wine", minAge: 18, regions: ["DE", "FR"]))
        let json = try Catalog.parseJSON(Data(#"{"items":[{"itemId":"p-9","category":"toys"}]}"#.utf8))
        #expect(json.category(of: "p-9") == "toys")
    }

    @Test func eventBodiesAreValidJSON() throws {
        let event = EventBody(eventId: "e\"1", type: "product_view", sessionId: "s", deviceId: "d", userId: nil, itemId: "p-1", device: "mobile", region: "DE")
        let one = try JSONSerialization.jsonObject(with: Data(event.json.utf8)) as? [String: Any]
        #expect(one?["eventId"] as? String == "e\"1")
        #expect(one?["userId"] == nil)
        #expect((one?["context"] as? [String: Any])?["region"] as? String == "DE")
        let batch = try JSONSerialization.jsonObject(with: Data(EventBody.batch([event, event]).utf8)) as? [String: Any]
        #expect((batch?["events"] as? [Any])?.count == 2)
    }

    @Test func recommendQueryIsEscaped() {
        let query = RecommendQuery(sessionId: "a b&c", itemId: nil, userId: "u-1", placement: "home", limit: 5, region: "DE", device: "mobile")
        #expect(query.uri == "/v1/recommend?sessionId=a%20b%26c&userId=u-1&placement=home&limit=5&region=DE&device=mobile")
    }

    @Test func replayGroupsAndOrdersClicks() {
        let replay = ReplaySessions.parse("SessionId\tItemId\tTime\n1\t10\t5\n2\t20\t1\n1\t11\t3\n")
        #expect(replay.sessions.count == 2)
        #expect(replay.sessions[0].items == ["11", "10"])
        #expect(replay.sessions[0].gaps == [2])
    }

    @Test func probesFocusOnOneCategory() {
        var settings = CorrectnessSettings()
        settings.probeShare = 1
        settings.testUserShare = 0
        let planner = SessionPlanner(
            settings: SessionSettings(), universe: ItemUniverse(), correctness: settings, catalog: Self.catalog, replay: nil, runTag: "t")
        var generator = SeededGenerator(seed: 1)
        let plan = planner.plan(index: 0, workload: 0, using: &generator)
        let focus = try! #require(plan.probeCategory)
        #expect(plan.pageViews.count == settings.focusViews + 1)
        #expect(plan.pageViews.dropFirst().allSatisfy { Self.catalog.category(of: $0.itemId) == focus })
    }

    @Test func probesFocusOnlyOnWhatTheVisitorMayBeShown() {
        // books: one item anywhere, one US-only; toys: anywhere; wine_spirits: 18+ only.
        var settings = CorrectnessSettings()
        settings.probeShare = 1
        settings.testUserShare = 0
        var universe = ItemUniverse()
        universe.regions = ["DE"]
        let planner = SessionPlanner(
            settings: SessionSettings(), universe: universe, correctness: settings, catalog: Self.catalog, replay: nil, runTag: "t")
        var generator = SeededGenerator(seed: 7)
        var focuses: Set<String> = []
        for index in 0..<200 {
            let plan = planner.plan(index: index, workload: 0, using: &generator)
            guard let focus = plan.probeCategory else { continue }
            focuses.insert(focus)
            // An anonymous visitor's age is unknown, so the service withholds every 18+ item;
            // a visitor in DE is never shown the US-only book.
            #expect(!plan.pageViews.dropFirst().contains { $0.itemId == "p-3" || $0.itemId == "p-4" }, "plan \(index): \(plan.pageViews)")
        }
        #expect(!focuses.contains("wine_spirits"))
        #expect(focuses.isSubset(of: ["books", "toys"]) && !focuses.isEmpty)
    }

    @Test func clicksFavourTheTopAndThePagesCategory() {
        // Weights 1, 1/2, 1/3 (sum 11/6): the first position takes the first 6/11 of the unit interval.
        #expect(ClickModel.choose(categories: ["a", "b", "c"], pageCategory: nil, unit: 0.5) == 0)
        #expect(ClickModel.choose(categories: ["a", "b", "c"], pageCategory: nil, unit: 0.6) == 1)
        #expect(ClickModel.choose(categories: ["a", "b", "c"], pageCategory: nil, unit: 0.99) == 2)
        // The page's category triples a weight: "c" at position 3 weighs 1 (sum 5/2), the last 2/5 of the interval.
        #expect(ClickModel.choose(categories: ["a", "b", "c"], pageCategory: "c", unit: 0.59) == 1)
        #expect(ClickModel.choose(categories: ["a", "b", "c"], pageCategory: "c", unit: 0.61) == 2)
        #expect(ClickModel.choose(categories: ["a"], pageCategory: nil, unit: 0.999) == 0)

        var generator = SeededGenerator(seed: 3)
        var counts = [Int](repeating: 0, count: 10)
        let categories: [String?] = ["x", "x", "x", "x", "x", "y", "x", "x", "x", "x"]
        for _ in 0..<20_000 { counts[ClickModel.choose(categories: categories, pageCategory: "y", unit: generator.nextUnit())] += 1 }
        #expect(counts[0] > 5 * counts[9], "position bias: \(counts)")
        #expect(counts[5] > 2 * counts[4], "the page's category at position 6 beats another at position 5: \(counts)")
    }

    @Test func svgChartAndReportRender() {
        #expect(SVGLineChart.niceTicks(max: 7.3) == [0, 2, 4, 6, 8])
        let chart = SVGLineChart(title: "t<", xLabel: "x", yLabel: "y", series: [.init(name: "a", points: [(0, 1), (1, 2)], color: "#000")]).render()
        #expect(chart.hasPrefix("<svg") && chart.contains("polyline") && chart.contains("t&lt;"))
        let html = HTMLReport.render(SLOAndComparisonTests.summary(p50: 1, p99: 2))
        #expect(html.contains("<svg") && html.contains("recommend"))
    }
}

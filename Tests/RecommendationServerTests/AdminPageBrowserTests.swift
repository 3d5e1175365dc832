import Foundation
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

@testable import RecommendationServer
@testable import SessionRankAdapters
@testable import SessionRankCore

/// The admin page in a real headless Chromium (Debian's `chromium`, installed by
/// scripts/install-deps.sh). It writes the shared config table, so it belongs to the serialized
/// admin suite; every version it stores ranks like the shipped file.
extension AdminConfigTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized
    static let screenshotFolder = packageRoot.appendingPathComponent(".local/screenshots").path

    /// One row of a page table, cell by cell as the browser shows it.
    struct PageRow: Decodable {
        var cells: [String]
        var classes: [String]
        var button: String?
        var buttonDisabled: Bool?
    }

    static func rows(_ page: BrowserPage, _ table: String) async throws -> [PageRow] {
        try await page.evaluate("""
            [...document.querySelectorAll('#\(table) tr')].map(tr => ({
              cells: [...tr.children].map(cell => cell.textContent),
              classes: [...tr.children].map(cell => cell.firstElementChild ? cell.firstElementChild.className : ''),
              button: tr.querySelector('button') ? tr.querySelector('button').textContent : null,
              buttonDisabled: tr.querySelector('button') ? tr.querySelector('button').disabled : null}))
            """)
    }

    static func text(_ page: BrowserPage, _ id: String) async throws -> String {
        try await page.evaluate("document.getElementById('\(id)').textContent")
    }

    /// Types into a field the way a person's edit ends up: the value changes and input fires.
    static func type(_ page: BrowserPage, _ id: String, _ value: String) async throws {
        _ = try await page.evaluateJSON("""
            (() => { const field = document.getElementById('\(id)'); field.value = \(BrowserPage.literal(value));
              field.dispatchEvent(new Event('input', {bubbles: true})); return true; })()
            """)
    }

    static func click(_ page: BrowserPage, _ id: String) async throws {
        _ = try await page.evaluateJSON("(document.getElementById('\(id)').click(), true)")
    }

    /// What the page's status lines say, for failure messages.
    static let pageState = "({status: document.getElementById('status').textContent, live: document.getElementById('live').textContent, result: document.getElementById('result').textContent})"

    @Test("admin page in headless Chromium: edit with inline errors, activate, preview side by side, replay, roll back; screenshot")
    func pageInBrowser() async throws {
        let binary = try #require(
            HeadlessChromium.locateBinary(),
            "Chromium is not installed: scripts/install-deps.sh (run by make test) installs the Debian package chromium; or set SESSIONRANK_CHROMIUM_BIN")
        try await Self.withAdmin(mode: .live, RecommendTests.withModel) { client, components in
            let port = try #require(client.port)
            let catalog = components.dependencies.catalog.snapshot
            let books = catalog.products.values.filter { $0.category == "books" && $0.forSale }.map(\.id).sorted().prefix(3)
            #expect(books.count == 3)

            // A known starting version, so the rollback has a target that ranks like the shipped file.
            let startYAML = Self.harmless("browser-start")
            let start = try await Self.put(client, yaml: startYAML, ifMatch: try await Self.current(client).etag, comment: "browser test start")
            #expect(start.status == .ok, "\(start.body)")
            let startVersion = try #require(start.json["version"] as? Int)

            try await HeadlessChromium.run(binary: binary) { browser in
                let page = try await browser.openPage()
                do {
                    try await Self.drive(page, port: port, startVersion: startVersion, startYAML: startYAML, books: Array(books), client: client, components: components)
                } catch {
                    let failure = Self.screenshotFolder + "/admin-failure.png"
                    try? await page.screenshot(to: failure)
                    print("admin page test failed; screenshot of the page: \(failure); browser log:\n\(browser.logTail())")
                    throw error
                }
            }
        }
    }

    private static func drive(
        _ page: BrowserPage, port: Int, startVersion: Int, startYAML: String, books: [String],
        client: any TestClientProtocol, components: ServerComponents
    ) async throws {
        try await page.navigate(to: "http://127.0.0.1:\(port)/admin")
        #expect(try await page.evaluate("document.title", as: String.self) == "SessionRank admin")

        // Load with an editor token: the live version, its text and the history appear.
        try await type(page, "token", editor)
        try await click(page, "load")
        try await page.waitUntil(
            "document.getElementById('status').textContent === 'loaded' && document.getElementById('live').textContent.startsWith('version \(startVersion) ')",
            "the page to load version \(startVersion)", describe: pageState)
        #expect(try await page.evaluate("document.getElementById('yaml').value", as: String.self) == startYAML)
        #expect(try await text(page, "live").contains("browser test start"))
        var versions = try await rows(page, "versions")
        #expect(versions.first?.cells.prefix(3) == ["version", "config", "author"])
        #expect(versions.dropFirst().first?.cells.first == String(startVersion))
        #expect(versions.dropFirst().first?.button == "live" && versions.dropFirst().first?.buttonDisabled == true)
        // The live charts are drawn once the KPIs arrive.
        try await page.waitUntil("document.querySelector('#rps polyline') !== null", "the requests/s chart")

        // A bad edit: activating shows the error inline, naming the field; nothing is stored.
        try await type(page, "yaml", "rules:\n  maxPerBrand: 0\n")
        try await click(page, "activate")
        try await page.waitUntil(
            "document.getElementById('result').className === 'error' && document.getElementById('result').textContent.includes('rules.maxPerBrand')",
            "the inline error for rules.maxPerBrand", describe: pageState)
        #expect(try await text(page, "result") == "400 rules.maxPerBrand: must be at least 1, or left out")
        // A misspelt engine setting is named with what is allowed.
        try await type(page, "yaml", "engine:\n  weights:\n    knnn: 1\n")
        try await click(page, "validate")
        try await page.waitUntil(
            "document.getElementById('result').textContent.includes('engine.weights.knnn')", "the inline error for engine.weights.knnn",
            describe: pageState)
        #expect(try await text(page, "result").contains("known settings here are knn, transition"))
        #expect(try await Self.current(client).version == Int64(startVersion))
        #expect(try await text(page, "live").hasPrefix("version \(startVersion) "))

        // A good edit: validate, then activate; the new version is live on the page and in the service.
        let editedYAML = startYAML + "# edited in the browser\n"
        try await type(page, "yaml", editedYAML)
        try await type(page, "comment", "browser edit")
        try await click(page, "validate")
        let editedConfig = "cfg-" + RankingConfigStore.digest(editedYAML).prefix(12)
        try await page.waitUntil(
            "document.getElementById('result').textContent === 'valid: \(editedConfig)'", "validation of the edit", describe: pageState)
        #expect(try await page.evaluate("document.getElementById('result').className", as: String.self) == "ok")
        try await click(page, "activate")
        try await page.waitUntil(
            "document.getElementById('result').textContent.startsWith('activated version ') && document.getElementById('live').textContent.includes('browser edit')",
            "the activated edit", describe: pageState)
        let editedVersion = try await Self.current(client).version
        #expect(editedVersion > Int64(startVersion))
        #expect(try await text(page, "result") == "activated version \(editedVersion)")
        #expect(try await text(page, "live").hasPrefix("version \(editedVersion) (\(editedConfig)) by test-editor"))
        #expect(components.rankingConfig.policy.current.version == editedConfig)
        // The page fills the history after the live line: wait for it, not just for the line.
        try await page.waitUntil(
            "document.querySelectorAll('#versions tr').length > 1 && document.querySelectorAll('#versions tr')[1].firstElementChild.textContent === '\(editedVersion)'",
            "the history with version \(editedVersion)", describe: pageState)
        versions = try await rows(page, "versions")
        #expect(versions.dropFirst().first?.cells.first == String(editedVersion))
        #expect(versions.dropFirst().first?.cells.dropFirst(4).first == "browser edit")
        #expect(versions.dropFirst().first?.button == "live")
        #expect(versions.first { $0.cells.first == String(startVersion) }?.button == "roll back")

        // Preview a draft that drops books: both rankings side by side, rank changes, what the draft removed.
        try await type(page, "yaml", "rules:\n  excludeCategories: [books]\n  maxPerCategory: 10\n")
        try await type(page, "items", books.joined(separator: ","))
        _ = try await page.evaluateJSON("(document.getElementById('placement').value = 'product', true)")
        try await click(page, "preview")
        try await page.waitUntil(
            "document.getElementById('result').textContent.startsWith('preview: ') && document.querySelectorAll('#previewTable tr').length > 1",
            "the preview table", describe: pageState)
        let preview = try await rows(page, "previewTable")
        #expect(preview.first?.cells == ["item", "live rank", "draft rank", "change", "live score", "draft score", "removed by draft"])
        let lines = preview.dropFirst()
        #expect(lines.count >= 10)
        let removed = lines.filter { $0.cells.last == "excluded_category" }
        #expect(!removed.isEmpty, "\(lines.map(\.cells))")
        for line in removed {
            #expect(category(of: line.cells[0], in: components) == "books")
            #expect(!line.cells[1].isEmpty && line.cells[2].isEmpty)
        }
        // Items in both lists show the change of rank; a move up is marked as such.
        let moved = lines.filter { !$0.cells[1].isEmpty && !$0.cells[2].isEmpty }
        #expect(!moved.isEmpty)
        for line in moved {
            let change = Int(line.cells[1])! - Int(line.cells[2])!
            #expect(line.cells[3] == (change > 0 ? "+\(change)" : "\(change)"), "\(line.cells)")
            #expect(line.classes[3] == (change > 0 ? "up" : change < 0 ? "down" : ""))
        }
        #expect(moved.contains { $0.classes[3] == "up" }, "with books gone, the rest move up: \(lines.map(\.cells))")
        let removedCount = try await text(page, "result")
        #expect(removedCount.hasPrefix("preview: ") && !removedCount.hasPrefix("preview: 0 "), "\(removedCount)")
        // Preview changes nothing live.
        #expect(try await Self.current(client).version == editedVersion)
        #expect(components.rankingConfig.policy.current.version == editedConfig)

        try await replayFromPage(page, client: client, components: components)

        // Roll back to the starting version from the history table.
        let clicked = try await page.evaluate("""
            (() => { const row = [...document.querySelectorAll('#versions tr')].find(tr => tr.firstElementChild.textContent === '\(startVersion)');
              if (!row) return false; row.querySelector('button').click(); return true; })()
            """, as: Bool.self)
        #expect(clicked)
        try await page.waitUntil(
            "document.getElementById('result').textContent === 'rolled back to version \(startVersion)' && document.getElementById('live').textContent.includes('rollback to version \(startVersion)')",
            "the rollback", describe: pageState)
        let rolledBack = try await Self.call(client, .get, "/admin/v1/config", token: viewer)
        let rolledVersion = try #require(rolledBack.json["version"] as? Int)
        #expect(rolledVersion > Int(editedVersion))
        #expect(rolledBack.json["yaml"] as? String == startYAML)
        #expect(components.rankingConfig.policy.current.version == "cfg-" + RankingConfigStore.digest(startYAML).prefix(12))
        #expect(try await text(page, "live").hasPrefix("version \(rolledVersion) "))
        #expect(try await page.evaluate("document.getElementById('yaml').value", as: String.self) == startYAML)
        try await page.waitUntil(
            "document.querySelectorAll('#versions tr').length > 1 && document.querySelectorAll('#versions tr')[1].firstElementChild.textContent === '\(rolledVersion)'",
            "the history with version \(rolledVersion)", describe: pageState)
        versions = try await rows(page, "versions")
        #expect(versions.dropFirst().first?.cells.first == String(rolledVersion))
        #expect(versions.dropFirst().first?.cells.dropFirst(4).first == "rollback to version \(startVersion)")
        #expect(versions.dropFirst().first?.button == "live")
        #expect(versions.first { $0.cells.first == String(editedVersion) }?.button == "roll back")
        let audit = try await Self.call(client, .get, "/admin/v1/audit?limit=5", token: viewer)
        let entries = audit.json["entries"] as? [[String: Any]] ?? []
        #expect(entries.contains { $0["action"] as? String == "rollback" && $0["version"] as? Int == rolledVersion && $0["actor"] as? String == "test-editor" })

        let path = screenshotFolder + "/admin.png"
        try await page.screenshot(to: path)
        let png = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && png.count > 10_000, "\(png.count) bytes")
        print("admin page screenshot: \(path)")
    }

    /// Replays the same draft on sessions posted now: the results table shows live and draft with
    /// intervals, and the rules table the books the draft excluded.
    private static func replayFromPage(_ page: BrowserPage, client: any TestClientProtocol, components: ServerComponents) async throws {
        let catalog = components.dependencies.catalog.snapshot
        let books = catalog.products.values.filter { $0.category == "books" && $0.forSale }.map(\.id).sorted()
        for index in 0..<3 {
            let items = Array(books[(index * 3)..<(index * 3 + 3)])
            let posted = try await client.postJSON(
                "/v1/events", replayViews(session: TestServer.uniqueId("page-replay"), items: items, offset: replayOffset + Double(index)))
            #expect(posted.status == .accepted, "\(posted.body)")
        }
        try await type(page, "replaySessions", "3")
        try await click(page, "replay")
        try await page.waitUntil(
            "document.getElementById('replayStatus').textContent.includes(' sessions, ') && document.querySelectorAll('#replayTable tr').length === 4",
            "the replay results", describe: "({replay: document.getElementById('replayStatus').textContent})")
        #expect(try await page.evaluate("document.getElementById('replayStatus').className", as: String.self) == "ok")
        let status = try await text(page, "replayStatus")
        #expect(status.contains(": 3 sessions, 6 predictions"), "\(status)")
        #expect(status.contains("bootstrap"))
        let figures = try await rows(page, "replayTable")
        #expect(figures.first?.cells == ["figure", "live", "draft", "draft − live"])
        #expect(figures.dropFirst().map { $0.cells[0] } == ["MRR@20", "HR@20", "coverage"])
        // Each cell is "value [low, high]" with the value inside its interval.
        for line in figures.dropFirst() {
            for cell in line.cells.dropFirst() {
                let numbers = cell.split(whereSeparator: { "[], ".contains($0) }).compactMap { Double($0) }
                #expect(numbers.count == 3 && numbers[1] <= numbers[0] && numbers[0] <= numbers[2], "\(line.cells)")
            }
        }
        let rules = try await rows(page, "replayRules")
        #expect(rules.first?.cells.prefix(2) == ["rule", "kind"])
        let excluded = try #require(rules.first { $0.cells.first == "excluded_category" }, "\(rules.map(\.cells))")
        #expect(excluded.cells[1] == "business")
        #expect(excluded.cells[2].hasPrefix("0 "), "live excludes no category: \(excluded.cells)")
        #expect(!excluded.cells[3].hasPrefix("0 ") && !excluded.cells[4].hasPrefix("0 "), "\(excluded.cells)")
    }

    private static func category(of item: String, in components: ServerComponents) -> String? {
        components.dependencies.catalog.snapshot.products[item]?.category
    }
}

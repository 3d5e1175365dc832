import Foundation

/// The item attributes the correctness checks need. The service's catalog lives in
/// PostgreSQL; the harness reads an exported file instead so it stays a pure HTTP client.
public struct CatalogItem: Codable, Sendable, Equatable {
    public var itemId: String
    public var category: String
    /// Youngest age allowed to see the item (0 = everyone).
    public var minAge: Int
    /// Regions where the item may be shown; empty means everywhere.
    public var regions: [String]

    public init(itemId: String, category: String, minAge: Int = 0, regions: [String] = []) {
        self.itemId = itemId
        self.category = category
        self.minAge = minAge
        self.regions = regions
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        itemId = try c.decode(String.self, forKey: .itemId)
        category = try c.decode(String.self, forKey: .category)
        minAge = try c.decodeIfPresent(Int.self, forKey: .minAge) ?? 0
        regions = try c.decodeIfPresent([String].self, forKey: .regions) ?? []
    }

    /// Whether a visitor of `age` may be shown the item. Like the service, an unknown age fails
    /// closed: only items for everyone.
    public func allows(age: Int?) -> Bool { minAge <= (age ?? 0) }

    /// Whether a visitor in `region` may be shown the item; with no region known, nothing to check.
    public func allows(region: String?) -> Bool {
        guard let region, !regions.isEmpty else { return true }
        return regions.contains(region)
    }
}

public struct Catalog: Sendable {
    public let items: [String: CatalogItem]
    /// Item ids per category, in file order, for probes that view one category.
    public let itemsByCategory: [String: [String]]

    public init(_ list: [CatalogItem]) {
        var items: [String: CatalogItem] = [:]
        var byCategory: [String: [String]] = [:]
        for item in list {
            items[item.itemId] = item
            byCategory[item.category, default: []].append(item.itemId)
        }
        self.items = items
        itemsByCategory = byCategory
    }

    public var categories: [String] { itemsByCategory.keys.sorted() }

    public func category(of itemId: String) -> String? { items[itemId]?.category }

    /// Reads a `.json` file (an array of items, or `{"items": [...]}`) or a TSV with a header
    /// naming `itemId`, `category` and optionally `minAge` and `regions` (comma-separated).
    public static func load(path: String) throws -> Catalog {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        if path.hasSuffix(".json") {
            return try parseJSON(data)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ScenarioError(field: "catalog", message: "\(path) is not UTF-8 text")
        }
        return try parseTSV(text)
    }

    public static func parseJSON(_ data: Data) throws -> Catalog {
        struct Wrapped: Decodable { var items: [CatalogItem] }
        let decoder = JSONDecoder()
        if let list = try? decoder.decode([CatalogItem].self, from: data) { return Catalog(list) }
        return Catalog(try decoder.decode(Wrapped.self, from: data).items)
    }

    public static func parseTSV(_ text: String) throws -> Catalog {
        var lines = text.split(whereSeparator: \.isNewline).makeIterator()
        guard let header = lines.next() else { throw ScenarioError(field: "catalog", message: "the file is empty") }
        let columns = header.split(separator: "\t", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let idColumn = columns.firstIndex(of: "itemId"), let categoryColumn = columns.firstIndex(of: "category") else {
            throw ScenarioError(field: "catalog", message: "the TSV header must name itemId and category")
        }
        let ageColumn = columns.firstIndex(of: "minAge")
        let regionsColumn = columns.firstIndex(of: "regions")
        var list: [CatalogItem] = []
        while let line = lines.next() {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count > max(idColumn, categoryColumn) else { continue }
            let age = ageColumn.flatMap { $0 < fields.count ? Int(fields[$0]) : nil } ?? 0
            let regions = regionsColumn.flatMap { $0 < fields.count ? fields[$0] : nil }
                .map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } } ?? []
            list.append(CatalogItem(itemId: fields[idColumn], category: fields[categoryColumn], minAge: age, regions: regions))
        }
        return Catalog(list)
    }
}

import LoadCore

/// The stub's catalog: item n of `p-00001`… belongs to category `categories[(n-1) % count]`;
/// `wine_spirits` items are 18+. The harness's tests write it out as a catalog file.
public enum StubCatalog {
    public static let categories = ["electronics", "books", "toys", "fashion", "home", "beauty", "sports", "grocery", "wine_spirits"]

    public static func items(count: Int = 2000) -> [CatalogItem] {
        (1...count).map { n in
            let category = categories[(n - 1) % categories.count]
            return CatalogItem(itemId: itemId(n), category: category, minAge: category == "wine_spirits" ? 18 : 0)
        }
    }

    public static func itemId(_ n: Int) -> String {
        let digits = String(n)
        return "p-" + String(repeating: "0", count: max(0, 5 - digits.count)) + digits
    }

    /// The TSV form of the catalog file (`itemId\tcategory\tminAge\tregions`).
    public static func tsv(count: Int = 2000) -> String {
        "itemId\tcategory\tminAge\tregions\n" + items(count: count).map { "\($0.itemId)\t\($0.category)\t\($0.minAge)\t" }.joined(separator: "\n") + "\n"
    }
}

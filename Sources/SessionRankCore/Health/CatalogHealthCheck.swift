/// Ready only once the catalog has been loaded: before that every item is unknown and withheld.
struct CatalogHealthCheck: DependencyHealthCheck {
    let catalog: ProductCatalog
    var name: String { "catalog" }

    func check() async throws {
        guard catalog.isLoaded else { throw CatalogNotLoaded() }
    }

    struct CatalogNotLoaded: Error, CustomStringConvertible {
        var description: String { "the product catalog has not been loaded from PostgreSQL yet" }
    }
}

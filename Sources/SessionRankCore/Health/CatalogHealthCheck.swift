/// Ready only once the catalog has been loaded: before that every item is unknown and withheld.
package struct CatalogHealthCheck: DependencyHealthCheck {
    let catalog: ProductCatalog
    package var name: String { "catalog" }

    package func check() async throws {
        guard catalog.isLoaded else { throw CatalogNotLoaded() }
    }

    struct CatalogNotLoaded: Error, CustomStringConvertible {
        var description: String { "the product catalog has not been loaded from PostgreSQL yet" }
    }

    package init(catalog: ProductCatalog) {
        self.catalog = catalog
    }
}

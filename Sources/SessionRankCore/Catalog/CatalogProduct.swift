import Compliance

/// A catalog row as stored in the `products` table: what seeding writes and the catalog cache
/// reads. The columns compliance screens (`id`, `category`, `minAge`, …) live in `compliance`
/// and read through (`product.minAge`); this type adds what only the shop shows.
@dynamicMemberLookup
public struct CatalogProduct: Sendable, Equatable {
    public var title: String
    public var price: Double
    public var currency: String
    /// The row as compliance sees it; shared by reference with the gate (`ScreenedProduct`).
    public var compliance: ComplianceProduct

    public init(title: String, price: Double, currency: String, compliance: ComplianceProduct) {
        self.title = title
        self.price = price
        self.currency = currency
        self.compliance = compliance
    }

    public subscript<Value>(dynamicMember column: WritableKeyPath<ComplianceProduct, Value>) -> Value {
        get { compliance[keyPath: column] }
        set { compliance[keyPath: column] = newValue }
    }

    public subscript<Value>(dynamicMember column: WritableKeyPath<ComplianceRestrictions, Value>) -> Value {
        get { compliance.restrictions[keyPath: column] }
        set { compliance.restrictions[keyPath: column] = newValue }
    }
}

/// The restriction columns of a product: the catalog row's own (`ComplianceProduct.restrictions`),
/// and what `config/compliance.yaml` adds to a category (`categories.<name>`) or to one product
/// (`products.<id>`). The rules file only ever tightens what the catalog says: see
/// `ComplianceContext.evaluate(_:)` for how the levels merge.
public struct ComplianceRestrictions: Sendable, Equatable {
    /// Minimum age in whole years; 0 means none.
    public var minAge: Int
    /// nil means no restriction (every region); otherwise the visitor's region must be in the
    /// list, and an empty list means none.
    public var allowedRegions: [String]?
    /// Regions the product must not be shown in.
    public var blockedRegions: [String]
    public var requiresKYC: Bool
    /// 0 none, 1 low, 2 medium, 3 high.
    public var riskLevel: Int
    /// Disclosure text shown with the product; nil or empty means none.
    public var disclosure: String?

    public init(
        minAge: Int = 0,
        allowedRegions: [String]? = nil,
        blockedRegions: [String] = [],
        requiresKYC: Bool = false,
        riskLevel: Int = 0,
        disclosure: String? = nil
    ) {
        self.minAge = minAge
        self.allowedRegions = allowedRegions
        self.blockedRegions = blockedRegions
        self.requiresKYC = requiresKYC
        self.riskLevel = riskLevel
        self.disclosure = disclosure
    }
}

/// What one risk flag on a visitor's profile excludes (`riskFlags.<flag>`).
public struct ComplianceRiskFlagRule: Sendable, Equatable {
    /// Products with a higher (merged) risk level are withheld; nil means no limit.
    public var maxRiskLevel: Int?
    /// Products in these categories are withheld.
    public var blockCategories: [String]

    public init(maxRiskLevel: Int? = nil, blockCategories: [String] = []) {
        self.maxRiskLevel = maxRiskLevel
        self.blockCategories = blockCategories
    }
}

/// What happens when a rule needs a user attribute that is unknown (`defaults.unknownAttribute`).
public enum UnknownAttributePolicy: String, Sendable, Equatable, CaseIterable {
    /// Fail closed: the product is withheld by the rule that needed the attribute.
    case deny
}

/// The validated content of `config/compliance.yaml`. Immutable and cheap to share; build a
/// `ComplianceContext` from it once per request.
public struct ComplianceRules: Sendable, Equatable {
    /// The only schema version this build reads.
    public static let supportedVersion = 1

    public var version: Int
    public var unknownAttribute: UnknownAttributePolicy
    public var categories: [String: ComplianceRestrictions]
    public var riskFlags: [String: ComplianceRiskFlagRule]
    public var products: [String: ComplianceRestrictions]

    /// Builds rules in code, without validation; `parse(yaml:)` is the validated way in.
    public init(
        categories: [String: ComplianceRestrictions] = [:],
        riskFlags: [String: ComplianceRiskFlagRule] = [:],
        products: [String: ComplianceRestrictions] = [:],
        unknownAttribute: UnknownAttributePolicy = .deny
    ) {
        self.version = Self.supportedVersion
        self.unknownAttribute = unknownAttribute
        self.categories = categories
        self.riskFlags = riskFlags
        self.products = products
    }

    /// No rules beyond the catalog's own columns (which are still enforced, failing closed).
    public static let empty = ComplianceRules()
}

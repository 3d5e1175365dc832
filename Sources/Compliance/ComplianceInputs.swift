/// A catalog product as the compliance rules see it: the compliance-relevant columns of the
/// `products` table. The server fills it from its catalog cache. Reads and writes of the
/// restriction columns (`product.minAge`, …) go to `restrictions`, the one place they are defined.
@dynamicMemberLookup
public struct ComplianceProduct: Sendable, Equatable {
    public var id: String
    public var category: String
    public var brand: String
    public var inStock: Bool
    public var forSale: Bool
    /// The catalog row's own restrictions, the same columns a rules file may add per category or product.
    public var restrictions: ComplianceRestrictions

    public init(
        id: String, category: String, brand: String = "", inStock: Bool = true, forSale: Bool = true,
        restrictions: ComplianceRestrictions
    ) {
        self.id = id
        self.category = category
        self.brand = brand
        self.inStock = inStock
        self.forSale = forSale
        self.restrictions = restrictions
    }

    /// The restriction columns in one call, as the tests and the catalog write them.
    public init(
        id: String, category: String, brand: String = "", inStock: Bool = true, forSale: Bool = true, minAge: Int = 0,
        allowedRegions: [String]? = nil, blockedRegions: [String] = [], requiresKYC: Bool = false, riskLevel: Int = 0, disclosure: String? = nil
    ) {
        self.init(
            id: id, category: category, brand: brand, inStock: inStock, forSale: forSale,
            restrictions: ComplianceRestrictions(
                minAge: minAge, allowedRegions: allowedRegions, blockedRegions: blockedRegions, requiresKYC: requiresKYC,
                riskLevel: riskLevel, disclosure: disclosure))
    }

    public subscript<Value>(dynamicMember column: WritableKeyPath<ComplianceRestrictions, Value>) -> Value {
        get { restrictions[keyPath: column] }
        set { restrictions[keyPath: column] = newValue }
    }
}

/// Where a user stands with identity verification (the `users.kyc_status` column).
public enum KYCStatus: String, Sendable, Equatable, CaseIterable {
    case unknown
    case pending
    case verified
    case rejected

    /// Reads a stored value; nil and anything unrecognised become `.unknown`, which fails closed.
    public init(parsing value: String?) {
        self = value.flatMap(KYCStatus.init(rawValue:)) ?? .unknown
    }
}

/// What is known about the visitor a request is for.
///
/// For an anonymous visitor (`isKnown == false`) every profile attribute (birth date, KYC status,
/// risk flags, consent) counts as unknown whatever the fields hold. `region` is still used: it may
/// come from the request rather than from a profile.
public struct ComplianceVisitor: Sendable, Equatable {
    /// False for an anonymous visitor.
    public var isKnown: Bool
    /// `yyyy-MM-dd`; nil (or unparsable) means unknown.
    public var birthDate: String?
    /// ISO 3166-1 alpha-2 code (case is ignored); the server fills it from the request when the
    /// profile has none. nil (or not two letters) means unknown.
    public var region: String?
    public var kycStatus: KYCStatus
    /// Risk flags of the profile, e.g. `gambling_self_excluded`. Flags the rules do not mention
    /// are ignored.
    public var riskFlags: [String]
    /// Consent to personalise; nil means not given, which counts as no.
    public var consentPersonalization: Bool?

    public init(
        isKnown: Bool = true,
        birthDate: String? = nil,
        region: String? = nil,
        kycStatus: KYCStatus = .unknown,
        riskFlags: [String] = [],
        consentPersonalization: Bool? = nil
    ) {
        self.isKnown = isKnown
        self.birthDate = birthDate
        self.region = region
        self.kycStatus = kycStatus
        self.riskFlags = riskFlags
        self.consentPersonalization = consentPersonalization
    }

    /// A visitor without a profile; only the request's region (if any) is known.
    public static func anonymous(region: String? = nil) -> ComplianceVisitor {
        ComplianceVisitor(isKnown: false, region: region)
    }
}

/// A compliance rule that can withhold a product. `id` is stable: the server uses it as a metric
/// label and in debug output.
public enum ComplianceRule: String, Sendable, Equatable, Hashable, CaseIterable {
    case notForSale = "not_for_sale"
    case outOfStock = "out_of_stock"
    case regionBlocked = "region_blocked"
    case regionNotAllowed = "region_not_allowed"
    case minAge = "min_age"
    case kycRequired = "kyc_required"
    case riskFlag = "risk_flag"

    /// The stable rule id, e.g. `min_age`.
    public var id: String { rawValue }

    /// Position in the order rules are evaluated (the order of `allCases`).
    var evaluationOrder: Int {
        switch self {
        case .notForSale: 0
        case .outOfStock: 1
        case .regionBlocked: 2
        case .regionNotAllowed: 3
        case .minAge: 4
        case .kycRequired: 5
        case .riskFlag: 6
        }
    }

    /// One line for debug output.
    public var summary: String {
        switch self {
        case .notForSale: "the product is not for sale"
        case .outOfStock: "the product is out of stock"
        case .regionBlocked: "the product is blocked in the visitor's region, or the region is unknown"
        case .regionNotAllowed: "the visitor's region is not one the product is allowed in, or it is unknown"
        case .minAge: "the visitor is younger than the minimum age, or the birth date is unknown"
        case .kycRequired: "the product needs a verified identity (KYC) and the visitor's is not verified"
        case .riskFlag: "a risk flag of the visitor (or unknown flags) excludes the product's risk level or category"
        }
    }
}

/// The verdict for one product.
public enum ComplianceDecision: Sendable, Equatable {
    /// The product may be shown; attach the disclosure, if any.
    case allowed(disclosure: String?)
    /// The product must not be shown; `rule` is the first rule (in evaluation order) that failed.
    case withheld(rule: ComplianceRule)

    public var isAllowed: Bool {
        if case .allowed = self { true } else { false }
    }

    /// The rule that withheld the product, nil when it is allowed.
    public var withheldBy: ComplianceRule? {
        if case .withheld(let rule) = self { rule } else { nil }
    }
}

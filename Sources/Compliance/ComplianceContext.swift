import Foundation

/// The rules applied to one visitor at one moment. Build it once per request; `evaluate(_:)` is
/// then a handful of comparisons and one dictionary look-up per product (two when the rules have
/// per-product entries).
public struct ComplianceContext: Sendable {
    public let rules: ComplianceRules
    /// Whole years on the evaluation date; nil when the birth date is unknown, unparsable or in
    /// the future.
    public let age: Int?
    /// The visitor's region, upper-cased; nil when unknown or not two letters.
    public let region: String?
    /// `.unknown` for anonymous visitors.
    public let kycStatus: KYCStatus
    /// True only for a known visitor who said yes. Without it the server must serve
    /// non-personal results and store nothing about the session.
    public let personalizationAllowed: Bool
    /// The strictest `maxRiskLevel` of the visitor's risk flags (of every configured flag when
    /// the flags are unknown); nil means no limit.
    public let maxRiskLevel: Int?
    /// Categories the visitor's risk flags block (every configured flag's when unknown).
    public let blockedCategories: Set<String>

    private let riskCap: Int
    /// Per category named in the rules (by `categories` or a flag's `blockCategories`): the first
    /// rule its entry fails for this visitor, and its disclosure. Computed once per context, so
    /// evaluating a product costs one look-up for its category.
    private let categoryVerdicts: [String: LevelVerdict]
    private let hasProductRules: Bool

    /// - Parameters:
    ///   - now: the evaluation time; age is computed from its calendar date in `timeZone`.
    ///   - timeZone: where "today" is decided for birthdays; UTC unless the server knows better.
    public init(rules: ComplianceRules, visitor: ComplianceVisitor, now: Date, timeZone: TimeZone = .gmt) {
        self.rules = rules
        self.region = visitor.region.flatMap(Self.normalizedRegion)

        if visitor.isKnown {
            self.age = visitor.birthDate.flatMap { Self.age(birthDate: $0, on: now, in: timeZone) }
            self.kycStatus = visitor.kycStatus
            self.personalizationAllowed = visitor.consentPersonalization == true
        } else {
            self.age = nil
            self.kycStatus = .unknown
            self.personalizationAllowed = false
        }

        // Unknown flags fail closed: the visitor is treated as carrying every configured flag.
        let flagRules: [ComplianceRiskFlagRule] = visitor.isKnown
            ? visitor.riskFlags.compactMap { rules.riskFlags[$0] }
            : Array(rules.riskFlags.values)
        self.maxRiskLevel = flagRules.compactMap(\.maxRiskLevel).min()
        self.blockedCategories = Set(flagRules.flatMap(\.blockCategories))
        self.riskCap = maxRiskLevel ?? Int.max
        self.hasProductRules = !rules.products.isEmpty

        var verdicts: [String: LevelVerdict] = [:]
        for (name, restrictions) in rules.categories {
            verdicts[name] = LevelVerdict(
                failure: Self.firstFailure(restrictions, region: region, age: age, kycStatus: kycStatus, riskCap: riskCap),
                disclosure: restrictions.disclosure)
        }
        for name in blockedCategories {
            let verdict = verdicts[name] ?? LevelVerdict(failure: nil, disclosure: nil)
            verdicts[name] = LevelVerdict(failure: verdict.failure ?? .riskFlag, disclosure: verdict.disclosure)
        }
        self.categoryVerdicts = verdicts
    }

    /// Decides whether `product` may be shown to this visitor.
    ///
    /// The catalog's columns, the product's category entry and the product's own entry merge so
    /// that the strictest wins: the product must pass every level. Rules run in this order and the
    /// first that fails names the exclusion: not_for_sale, out_of_stock, region_blocked,
    /// region_not_allowed, min_age, kyc_required, risk_flag. A rule that needs an unknown
    /// attribute fails.
    public func evaluate(_ product: ComplianceProduct) -> ComplianceDecision {
        if !product.forSale { return .withheld(rule: .notForSale) }
        if !product.inStock { return .withheld(rule: .outOfStock) }

        // Passing the strictest merge of several levels is passing each level, and the first
        // failing rule overall is the earliest of each level's first failure.
        var failure = Self.firstFailure(product.restrictions, region: region, age: age, kycStatus: kycStatus, riskCap: riskCap)
        let category = categoryVerdicts.isEmpty ? nil : categoryVerdicts[product.category]
        if let categoryFailure = category?.failure {
            failure = Self.earlier(failure, categoryFailure)
        }
        var ownDisclosure: String?
        if hasProductRules, let own = rules.products[product.id] {
            if let ownFailure = Self.firstFailure(own, region: region, age: age, kycStatus: kycStatus, riskCap: riskCap) {
                failure = Self.earlier(failure, ownFailure)
            }
            ownDisclosure = own.disclosure
        }
        if let failure { return .withheld(rule: failure) }

        // Disclosure: the product's entry in the rules, then the catalog's text, then the category's.
        if let ownDisclosure { return .allowed(disclosure: ownDisclosure) }
        if let text = product.restrictions.disclosure, !text.isEmpty { return .allowed(disclosure: text) }
        return .allowed(disclosure: category?.disclosure)
    }

    private struct LevelVerdict: Sendable {
        var failure: ComplianceRule?
        var disclosure: String?
    }

    /// One level of restrictions (the catalog row's or a rules file entry), checked in rule order.
    @inline(__always)
    private static func firstFailure(
        _ restrictions: ComplianceRestrictions, region: String?, age: Int?, kycStatus: KYCStatus, riskCap: Int
    ) -> ComplianceRule? {
        if !restrictions.blockedRegions.isEmpty {
            guard let region, !restrictions.blockedRegions.contains(region) else { return .regionBlocked }
        }
        if let allowed = restrictions.allowedRegions {
            guard let region, allowed.contains(region) else { return .regionNotAllowed }
        }
        if restrictions.minAge > 0 {
            guard let age, age >= restrictions.minAge else { return .minAge }
        }
        if restrictions.requiresKYC, kycStatus != .verified { return .kycRequired }
        if restrictions.riskLevel > riskCap { return .riskFlag }
        return nil
    }

    @inline(__always)
    private static func earlier(_ current: ComplianceRule?, _ other: ComplianceRule) -> ComplianceRule {
        guard let current else { return other }
        return current.evaluationOrder <= other.evaluationOrder ? current : other
    }

    // MARK: Visitor attributes

    static func normalizedRegion(_ text: String) -> String? {
        let upper = text.uppercased()
        let bytes = upper.utf8
        guard bytes.count == 2, bytes.allSatisfy({ $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) else { return nil }
        return upper
    }

    /// Whole years between a `yyyy-MM-dd` birth date and the calendar date of `now` in
    /// `timeZone`. Someone born on 29 February gets a year older on 1 March in common years.
    static func age(birthDate: String, on now: Date, in timeZone: TimeZone) -> Int? {
        guard let birth = parseDate(birthDate) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let today = calendar.dateComponents([.year, .month, .day], from: now)
        guard let year = today.year, let month = today.month, let day = today.day else { return nil }
        let hadBirthday = (month, day) >= (birth.month, birth.day)
        let age = year - birth.year - (hadBirthday ? 0 : 1)
        return age >= 0 ? age : nil
    }

    /// Strict `yyyy-MM-dd` with a real calendar day; anything else is nil (unknown).
    static func parseDate(_ text: String) -> (year: Int, month: Int, day: Int)? {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let byte = bytes[index]
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              year >= 1, (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year) else { return nil }
        return (year, month, day)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

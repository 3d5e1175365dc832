import Foundation
import Testing
@testable import Compliance

/// SplitMix64: a tiny, fast, seedable generator so failures reproduce.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func chance(_ probability: Double) -> Bool {
        Double.random(in: 0..<1, using: &self) < probability
    }

    mutating func pick<T>(_ values: [T]) -> T {
        values[Int.random(in: 0..<values.count, using: &self)]
    }

    mutating func subset<T>(_ values: [T], probability: Double = 0.3) -> [T] {
        values.filter { _ in chance(probability) }
    }
}

/// Random rules, visitors, products and times, biased towards the edges that matter (birthdays
/// right around the minimum age, unknown attributes, regions on and off the lists).
struct ScenarioGenerator {
    static let regions = ["NL", "BE", "DE", "FR", "GB", "SE", "NO", "US"]
    static let categories = ["c0", "c1", "c2", "c3", "lottery"]
    static let productIds = ["p-0", "p-1", "p-2", "p-3"]
    static let flags = ["f0", "f1", "f2", "f3"]
    static let zones = ["UTC", "Europe/Amsterdam", "America/Los_Angeles", "Pacific/Kiritimati"]

    var random: SplitMix64

    mutating func regionList(allowEmpty: Bool) -> [String] {
        var list = random.subset(Self.regions)
        if list.isEmpty && !allowEmpty { list = [random.pick(Self.regions)] }
        return list
    }

    mutating func restrictions(disclosure: String) -> ComplianceRestrictions {
        ComplianceRestrictions(
            minAge: random.chance(0.5) ? 0 : random.pick([16, 18, 21, Int.random(in: 0...99, using: &random)]),
            allowedRegions: random.chance(0.7) ? nil : regionList(allowEmpty: false),
            blockedRegions: random.chance(0.6) ? [] : regionList(allowEmpty: true),
            requiresKYC: random.chance(0.25),
            riskLevel: Int.random(in: 0...3, using: &random),
            disclosure: random.chance(0.5) ? nil : disclosure
        )
    }

    mutating func rules() -> ComplianceRules {
        var rules = ComplianceRules()
        for category in Self.categories where random.chance(0.5) {
            rules.categories[category] = restrictions(disclosure: "category \(category) text")
        }
        for flag in Self.flags where random.chance(0.4) {
            var rule = ComplianceRiskFlagRule(
                maxRiskLevel: random.chance(0.7) ? Int.random(in: 0...3, using: &random) : nil,
                blockCategories: random.chance(0.5) ? random.subset(Self.categories) : [])
            if rule.maxRiskLevel == nil && rule.blockCategories.isEmpty { rule.blockCategories = [random.pick(Self.categories)] }
            rules.riskFlags[flag] = rule
        }
        for id in Self.productIds where random.chance(0.3) {
            rules.products[id] = restrictions(disclosure: "product \(id) text")
        }
        return rules
    }

    mutating func now() -> (Date, TimeZone) {
        let seconds = Double(Int.random(in: 1_577_836_800...1_893_456_000, using: &random)) // 2020 … 2030
        return (Date(timeIntervalSince1970: seconds), TimeZone(identifier: random.pick(Self.zones))!)
    }

    /// Mostly birth dates within a few days of an age boundary, sometimes 29 February or junk.
    mutating func birthDate(now: Date, timeZone: TimeZone) -> String? {
        if random.chance(0.08) { return nil }
        if random.chance(0.04) { return random.pick(["", "1990-02-30", "1990-13-01", "1990-1-1", "01-01-1990", "abcd-ef-gh"]) }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let today = calendar.dateComponents([.year, .month, .day], from: now)
        if random.chance(0.05) {
            let leapYears = stride(from: 1936, through: today.year! - 1, by: 4).map { $0 }
            return "\(random.pick(leapYears))-02-29"
        }
        let years = random.pick([15, 16, 17, 18, 20, 21, 22, Int.random(in: 0...90, using: &random)])
        let anniversary = calendar.date(byAdding: .year, value: -years, to: calendar.startOfDay(for: now))!
        let birth = calendar.date(byAdding: .day, value: Int.random(in: -3...3, using: &random), to: anniversary)!
        let parts = calendar.dateComponents([.year, .month, .day], from: birth)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.year!)-\(two(parts.month!))-\(two(parts.day!))"
    }

    mutating func visitor(now: Date, timeZone: TimeZone) -> ComplianceVisitor {
        ComplianceVisitor(
            isKnown: random.chance(0.85),
            birthDate: birthDate(now: now, timeZone: timeZone),
            region: random.chance(0.1) ? nil
                : random.chance(0.05) ? random.pick(["", "X1", "Netherlands", "n"])
                : random.chance(0.1) ? random.pick(Self.regions).lowercased()
                : random.pick(Self.regions),
            kycStatus: random.pick(KYCStatus.allCases),
            riskFlags: random.subset(Self.flags + ["unconfigured"], probability: 0.2),
            consentPersonalization: random.pick([true, false, nil])
        )
    }

    mutating func product() -> ComplianceProduct {
        ComplianceProduct(
            id: random.chance(0.6) ? random.pick(Self.productIds) : "p-other",
            category: random.chance(0.8) ? random.pick(Self.categories) : "unlisted",
            brand: "b",
            inStock: random.chance(0.95),
            forSale: random.chance(0.95),
            minAge: random.chance(0.7) ? 0 : random.pick([16, 18, 21]),
            allowedRegions: random.chance(0.75) ? nil : regionList(allowEmpty: random.chance(0.1)),
            blockedRegions: random.chance(0.7) ? [] : regionList(allowEmpty: true),
            requiresKYC: random.chance(0.15),
            riskLevel: Int.random(in: 0...3, using: &random),
            disclosure: random.pick([nil, nil, "", "catalog text"])
        )
    }
}

/// Writes rules back out as YAML, so every random rule set also goes through the parser.
func renderYAML(_ rules: ComplianceRules) -> String {
    func list(_ values: [String]) -> String { "[" + values.joined(separator: ", ") + "]" }
    func block(_ restrictions: ComplianceRestrictions, indent: String) -> [String] {
        var lines: [String] = []
        if restrictions.minAge != 0 || restrictions.requiresKYC { lines.append("\(indent)minAge: \(restrictions.minAge)") }
        if let allowed = restrictions.allowedRegions { lines.append("\(indent)allowedRegions: \(list(allowed))") }
        if !restrictions.blockedRegions.isEmpty || restrictions.riskLevel == 2 {
            lines.append("\(indent)blockedRegions: \(list(restrictions.blockedRegions))")
        }
        if restrictions.requiresKYC || restrictions.riskLevel == 1 { lines.append("\(indent)requiresKYC: \(restrictions.requiresKYC)") }
        if restrictions.riskLevel != 0 { lines.append("\(indent)riskLevel: \(restrictions.riskLevel)") }
        if let disclosure = restrictions.disclosure { lines.append("\(indent)disclosure: \"\(disclosure)\"") }
        return lines
    }
    var lines = ["version: 1", "defaults:", "  unknownAttribute: deny", "categories:"]
    for (name, restrictions) in rules.categories.sorted(by: { $0.key < $1.key }) {
        let body = block(restrictions, indent: "    ")
        lines.append(body.isEmpty ? "  \(name): {}" : "  \(name):")
        lines += body
    }
    lines.append("riskFlags:")
    for (name, flag) in rules.riskFlags.sorted(by: { $0.key < $1.key }) {
        var fields: [String] = []
        if let max = flag.maxRiskLevel { fields.append("maxRiskLevel: \(max)") }
        if !flag.blockCategories.isEmpty { fields.append("blockCategories: \(list(flag.blockCategories))") }
        lines.append("  \(name): { \(fields.joined(separator: ", ")) }")
    }
    lines.append("products:")
    for (id, restrictions) in rules.products.sorted(by: { $0.key < $1.key }) {
        let body = block(restrictions, indent: "    ")
        lines.append(body.isEmpty ? "  \(id): {}" : "  \(id):")
        lines += body
    }
    return lines.joined(separator: "\n") + "\n"
}

/// A second, deliberately plain implementation of the rules, written from docs/COMPLIANCE.md:
/// sets instead of lists, Foundation calendar arithmetic instead of hand-rolled dates.
struct Oracle {
    let rules: ComplianceRules
    let visitor: ComplianceVisitor
    let now: Date
    let timeZone: TimeZone

    var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }

    var region: String? {
        guard let region = visitor.region, region.count == 2,
              region.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("A"..."Z").contains($0) }) else { return nil }
        return region.uppercased()
    }

    /// The birth day as a date, if the text is a real `yyyy-MM-dd` day not after today.
    var birthDay: DateComponents? {
        guard visitor.isKnown, let text = visitor.birthDate,
              text.range(of: #"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"#, options: .regularExpression) != nil else { return nil }
        let parts = text.split(separator: "-").map { Int($0)! }
        let components = DateComponents(year: parts[0], month: parts[1], day: parts[2])
        guard let date = calendar.date(from: components),
              calendar.dateComponents([.year, .month, .day], from: date) == components,
              date <= calendar.startOfDay(for: now) else { return nil }
        return components
    }

    /// Whether the visitor had their `years`-th birthday by today (a 29 February birthday falls
    /// on 1 March in common years: Foundation rolls the missing day over).
    func isAtLeast(_ years: Int) -> Bool {
        guard let birth = birthDay,
              let birthday = calendar.date(from: DateComponents(year: birth.year! + years, month: birth.month!, day: birth.day!))
        else { return false }
        return calendar.startOfDay(for: now) >= birthday
    }

    var activeFlags: [ComplianceRiskFlagRule] {
        visitor.isKnown ? Set(visitor.riskFlags).compactMap { rules.riskFlags[$0] } : Array(rules.riskFlags.values)
    }

    /// Every rule the product breaks, in evaluation order.
    func violations(_ product: ComplianceProduct) -> [ComplianceRule] {
        let levels = [product.category].compactMap { rules.categories[$0] } + [product.id].compactMap { rules.products[$0] }
        var blocked = Set(product.blockedRegions)
        var allowedLists = product.allowedRegions.map { [Set($0)] } ?? []
        var minAge = product.minAge
        var kyc = product.requiresKYC
        var risk = product.riskLevel
        for level in levels {
            blocked.formUnion(level.blockedRegions)
            if let allowed = level.allowedRegions { allowedLists.append(Set(allowed)) }
            minAge = Swift.max(minAge, level.minAge)
            kyc = kyc || level.requiresKYC
            risk = Swift.max(risk, level.riskLevel)
        }
        let caps = activeFlags.compactMap(\.maxRiskLevel)
        let blockedCategories = Set(activeFlags.flatMap(\.blockCategories))

        var broken: [ComplianceRule] = []
        if !product.forSale { broken.append(.notForSale) }
        if !product.inStock { broken.append(.outOfStock) }
        if !blocked.isEmpty, region == nil || blocked.contains(region!) { broken.append(.regionBlocked) }
        if !allowedLists.isEmpty, region == nil || allowedLists.contains(where: { !$0.contains(region!) }) { broken.append(.regionNotAllowed) }
        if minAge > 0, !isAtLeast(minAge) { broken.append(.minAge) }
        if kyc, !(visitor.isKnown && visitor.kycStatus == .verified) { broken.append(.kycRequired) }
        if caps.contains(where: { risk > $0 }) || blockedCategories.contains(product.category) { broken.append(.riskFlag) }
        return broken
    }

    func disclosure(_ product: ComplianceProduct) -> String? {
        if let text = rules.products[product.id]?.disclosure { return text }
        if let text = product.disclosure, !text.isEmpty { return text }
        return rules.categories[product.category]?.disclosure
    }

    var personalizationAllowed: Bool {
        visitor.isKnown && visitor.consentPersonalization == true
    }
}

@Suite("Compliance property test against an independent oracle")
struct CompliancePropertyTests {
    /// 2 seeds × 1,500 triples, each with freshly generated rules that go through YAML and back.
    @Test("random rules, visitors and products agree with the oracle", arguments: [UInt64(0x5E55_10A7), 42])
    func agreesWithOracle(seed: UInt64) throws {
        var generator = ScenarioGenerator(random: SplitMix64(seed: seed))
        var outcomes: [String: Int] = [:]
        var failClosed: [ComplianceRule: Int] = [:]
        let triples = 1_500

        for index in 0..<triples {
            let generated = generator.rules()
            let yaml = renderYAML(generated)
            let rules = try ComplianceRules.parse(yaml: yaml)
            try #require(rules == generated, "round trip of rules #\(index):\n\(yaml)")

            let (now, timeZone) = generator.now()
            let visitor = generator.visitor(now: now, timeZone: timeZone)
            let product = generator.product()
            let context = ComplianceContext(rules: rules, visitor: visitor, now: now, timeZone: timeZone)
            let oracle = Oracle(rules: rules, visitor: visitor, now: now, timeZone: timeZone)
            let decision = context.evaluate(product)
            let broken = oracle.violations(product)
            let trace = "#\(index) seed \(seed)\nrules \(rules)\nvisitor \(visitor)\nproduct \(product)\nnow \(now) \(timeZone.identifier)"

            switch decision {
            // `#require` stops at the first disagreement, so a failure prints one readable case.
            case .allowed(let disclosure):
                try #require(broken.isEmpty, "allowed but the oracle finds \(broken): \(trace)")
                try #require(disclosure == oracle.disclosure(product), "disclosure: \(trace)")
                outcomes["allowed", default: 0] += 1
            case .withheld(let rule):
                try #require(broken.contains(rule), "withheld by \(rule.id), which the oracle finds unbroken: \(trace)")
                try #require(broken.first == rule, "withheld by \(rule.id), but \(broken) break first: \(trace)")
                outcomes[rule.id, default: 0] += 1
                if Self.failedClosed(rule, oracle) { failClosed[rule, default: 0] += 1 }
            }
            try #require(context.personalizationAllowed == oracle.personalizationAllowed, "consent: \(trace)")
        }

        // The generator must actually reach every outcome, or the agreement above proves little.
        for outcome in ["allowed"] + ComplianceRule.allCases.map(\.id) {
            #expect(outcomes[outcome, default: 0] >= 25, "outcome \(outcome) seen only \(outcomes[outcome, default: 0]) times: \(outcomes)")
        }
        for rule in [ComplianceRule.regionBlocked, .regionNotAllowed, .minAge, .kycRequired, .riskFlag] {
            #expect(failClosed[rule, default: 0] >= 5, "unknown-attribute exclusions by \(rule.id): \(failClosed)")
        }
    }

    /// Whether the rule withheld the product because an attribute it needs is unknown.
    static func failedClosed(_ rule: ComplianceRule, _ oracle: Oracle) -> Bool {
        switch rule {
        case .regionBlocked, .regionNotAllowed: oracle.region == nil
        case .minAge: oracle.birthDay == nil
        case .kycRequired: !oracle.visitor.isKnown || oracle.visitor.kycStatus == .unknown
        case .riskFlag: !oracle.visitor.isKnown
        case .notForSale, .outOfStock: false
        }
    }
}

import Foundation
import Testing
@testable import Compliance

/// A UTC instant on the given calendar day.
func utcDate(_ year: Int, _ month: Int, _ day: Int, hour: Int = 12, minute: Int = 0) -> Date {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(secondsFromGMT: 0)!
    return calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute))!
}

private let now = utcDate(2026, 6, 15)

private let adult = ComplianceVisitor(
    birthDate: "1990-05-17", region: "NL", kycStatus: .verified, riskFlags: [], consentPersonalization: true)

private func decide(
    _ product: ComplianceProduct,
    for visitor: ComplianceVisitor = adult,
    rules: ComplianceRules = .empty,
    at date: Date = now
) -> ComplianceDecision {
    ComplianceContext(rules: rules, visitor: visitor, now: date).evaluate(product)
}

private func product(_ category: String = "books", id: String = "p-1", _ change: (inout ComplianceProduct) -> Void = { _ in }) -> ComplianceProduct {
    var product = ComplianceProduct(id: id, category: category)
    change(&product)
    return product
}

@Suite("Compliance rules, one at a time")
struct ComplianceEvaluationTests {
    @Test("rule ids are the stable strings the server counts by")
    func ruleIds() {
        #expect(ComplianceRule.allCases.map(\.id) == [
            "not_for_sale", "out_of_stock", "region_blocked", "region_not_allowed", "min_age", "kyc_required", "risk_flag",
        ])
    }

    @Test("an unrestricted product is allowed, without disclosure")
    func unrestricted() {
        #expect(decide(product()) == .allowed(disclosure: nil))
        #expect(decide(product(), for: .anonymous()) == .allowed(disclosure: nil))
    }

    @Test("not for sale and out of stock withhold, for-sale first")
    func availability() {
        #expect(decide(product { $0.forSale = false }) == .withheld(rule: .notForSale))
        #expect(decide(product { $0.inStock = false }) == .withheld(rule: .outOfStock))
        #expect(decide(product { $0.inStock = false; $0.forSale = false }) == .withheld(rule: .notForSale))
    }

    @Test("minimum age: old enough, too young, birth date unknown or unparsable")
    func minimumAge() {
        let restricted = product { $0.minAge = 18 }
        #expect(decide(restricted) == .allowed(disclosure: nil))

        var minor = adult
        minor.birthDate = "2011-03-02"
        #expect(decide(restricted, for: minor) == .withheld(rule: .minAge))

        for unknown in [nil, "", "02-03-2011", "2011-13-01", "2011-02-30", "2011-2-3", "20110302", "2030-01-01"] {
            var visitor = adult
            visitor.birthDate = unknown
            #expect(decide(restricted, for: visitor) == .withheld(rule: .minAge), "birth date \(String(describing: unknown))")
            #expect(decide(product(), for: visitor) == .allowed(disclosure: nil), "no age limit, birth date irrelevant")
        }
    }

    @Test("turning 18 today is allowed, tomorrow is not")
    func birthdayBoundary() {
        let restricted = product { $0.minAge = 18 }
        var visitor = adult
        visitor.birthDate = "2008-06-15"
        #expect(decide(restricted, for: visitor, at: utcDate(2026, 6, 15, hour: 0)) == .allowed(disclosure: nil))
        visitor.birthDate = "2008-06-16"
        #expect(decide(restricted, for: visitor, at: utcDate(2026, 6, 15, hour: 23, minute: 59)) == .withheld(rule: .minAge))
        #expect(decide(restricted, for: visitor, at: utcDate(2026, 6, 16, hour: 0)) == .allowed(disclosure: nil))
    }

    @Test("age in whole years, 29 February birthdays and the evaluation time zone")
    func ageArithmetic() throws {
        func age(_ birth: String, _ date: Date, _ zone: TimeZone = .gmt) -> Int? {
            ComplianceContext(rules: .empty, visitor: ComplianceVisitor(birthDate: birth), now: date, timeZone: zone).age
        }
        #expect(age("1990-05-17", now) == 36)
        #expect(age("1990-06-16", now) == 35)
        #expect(age("2026-06-15", now) == 0)
        #expect(age("2026-06-16", now) == nil)
        // Born on a leap day: a year older on 1 March in common years.
        #expect(age("2008-02-29", utcDate(2026, 2, 28)) == 17)
        #expect(age("2008-02-29", utcDate(2026, 3, 1)) == 18)
        #expect(age("2008-02-29", utcDate(2028, 2, 29)) == 20)
        // 23:30 UTC on 15 June is already 16 June in Amsterdam.
        let amsterdam = try #require(TimeZone(identifier: "Europe/Amsterdam"))
        #expect(age("2008-06-16", utcDate(2026, 6, 15, hour: 23, minute: 30)) == 17)
        #expect(age("2008-06-16", utcDate(2026, 6, 15, hour: 23, minute: 30), amsterdam) == 18)
        // Anonymous visitors have no age, whatever the fields say.
        let anonymous = ComplianceVisitor(isKnown: false, birthDate: "1990-01-01")
        #expect(ComplianceContext(rules: .empty, visitor: anonymous, now: now).age == nil)
    }

    @Test("blocked regions: blocked, elsewhere, region unknown")
    func blockedRegions() {
        let restricted = product { $0.blockedRegions = ["SE", "NO"] }
        #expect(decide(restricted) == .allowed(disclosure: nil))
        var visitor = adult
        visitor.region = "SE"
        #expect(decide(restricted, for: visitor) == .withheld(rule: .regionBlocked))
        visitor.region = "se"
        #expect(decide(restricted, for: visitor) == .withheld(rule: .regionBlocked), "region case is ignored")
        for unknown in [nil, "", "Sweden", "S"] {
            visitor.region = unknown
            #expect(decide(restricted, for: visitor) == .withheld(rule: .regionBlocked), "region \(String(describing: unknown))")
            #expect(decide(product(), for: visitor) == .allowed(disclosure: nil))
        }
    }

    @Test("allowed regions: inside, outside, empty list, region unknown")
    func allowedRegions() {
        let restricted = product { $0.allowedRegions = ["NL", "BE"] }
        #expect(decide(restricted) == .allowed(disclosure: nil))
        var visitor = adult
        visitor.region = "DE"
        #expect(decide(restricted, for: visitor) == .withheld(rule: .regionNotAllowed))
        visitor.region = nil
        #expect(decide(restricted, for: visitor) == .withheld(rule: .regionNotAllowed))
        #expect(decide(product { $0.allowedRegions = [] }) == .withheld(rule: .regionNotAllowed))
        // An anonymous visitor's region comes from the request and counts.
        #expect(decide(restricted, for: .anonymous(region: "BE")) == .allowed(disclosure: nil))
        #expect(decide(restricted, for: .anonymous()) == .withheld(rule: .regionNotAllowed))
    }

    @Test("KYC: only verified passes; unknown, pending, rejected and anonymous fail")
    func kyc() {
        let restricted = product { $0.requiresKYC = true }
        #expect(decide(restricted) == .allowed(disclosure: nil))
        for status in [KYCStatus.unknown, .pending, .rejected] {
            var visitor = adult
            visitor.kycStatus = status
            #expect(decide(restricted, for: visitor) == .withheld(rule: .kycRequired), "\(status)")
            #expect(decide(product(), for: visitor) == .allowed(disclosure: nil))
        }
        var anonymous = ComplianceVisitor.anonymous(region: "NL")
        anonymous.kycStatus = .verified
        #expect(decide(restricted, for: anonymous) == .withheld(rule: .kycRequired), "anonymous ignores profile fields")
        #expect(KYCStatus(parsing: "verified") == .verified)
        #expect(KYCStatus(parsing: "VERIFIED") == .unknown)
        #expect(KYCStatus(parsing: nil) == .unknown)
    }

    @Test("risk flags cap the risk level and block categories; unknown flags assume all")
    func riskFlags() {
        let rules = ComplianceRules(riskFlags: [
            "gambling_self_excluded": .init(maxRiskLevel: 1, blockCategories: ["lottery"]),
            "vulnerable": .init(maxRiskLevel: 2),
        ])
        let lowRiskLottery = product("lottery") { $0.riskLevel = 0 }
        let level2 = product { $0.riskLevel = 2 }
        let level1 = product { $0.riskLevel = 1 }

        #expect(decide(lowRiskLottery, rules: rules) == .allowed(disclosure: nil))
        #expect(decide(level2, rules: rules) == .allowed(disclosure: nil))

        var excluded = adult
        excluded.riskFlags = ["gambling_self_excluded"]
        #expect(decide(lowRiskLottery, for: excluded, rules: rules) == .withheld(rule: .riskFlag))
        #expect(decide(level2, for: excluded, rules: rules) == .withheld(rule: .riskFlag))
        #expect(decide(level1, for: excluded, rules: rules) == .allowed(disclosure: nil))

        var vulnerable = adult
        vulnerable.riskFlags = ["vulnerable", "not_configured"]
        #expect(decide(level2, for: vulnerable, rules: rules) == .allowed(disclosure: nil))
        #expect(decide(product { $0.riskLevel = 3 }, for: vulnerable, rules: rules) == .withheld(rule: .riskFlag))
        #expect(decide(lowRiskLottery, for: vulnerable, rules: rules) == .allowed(disclosure: nil))

        // Anonymous: flags unknown, so every configured flag applies.
        let context = ComplianceContext(rules: rules, visitor: .anonymous(region: "NL"), now: now)
        #expect(context.maxRiskLevel == 1)
        #expect(context.blockedCategories == ["lottery"])
        #expect(context.evaluate(lowRiskLottery) == .withheld(rule: .riskFlag))
        #expect(context.evaluate(level2) == .withheld(rule: .riskFlag))
        #expect(context.evaluate(level1) == .allowed(disclosure: nil))

        // A category's risk level counts too.
        let risky = ComplianceRules(categories: ["investments": .init(riskLevel: 3)], riskFlags: rules.riskFlags)
        #expect(decide(product("investments"), for: excluded, rules: risky) == .withheld(rule: .riskFlag))
    }

    @Test("consent: only an explicit yes from a known visitor allows personalisation")
    func consent() {
        func allowed(_ visitor: ComplianceVisitor) -> Bool {
            ComplianceContext(rules: .empty, visitor: visitor, now: now).personalizationAllowed
        }
        var visitor = adult
        #expect(allowed(visitor))
        visitor.consentPersonalization = false
        #expect(!allowed(visitor))
        visitor.consentPersonalization = nil
        #expect(!allowed(visitor))
        var anonymous = ComplianceVisitor.anonymous(region: "NL")
        anonymous.consentPersonalization = true
        #expect(!allowed(anonymous))
        // Consent does not withhold products.
        #expect(decide(product(), for: visitor) == .allowed(disclosure: nil))
    }

    @Test("the first failing rule in evaluation order names the exclusion")
    func ruleOrder() {
        var visitor = ComplianceVisitor(birthDate: "2015-01-01", region: "SE", kycStatus: .pending, riskFlags: ["x"])
        let rules = ComplianceRules(riskFlags: ["x": .init(maxRiskLevel: 0)])
        var item = product {
            $0.blockedRegions = ["SE"]; $0.allowedRegions = ["NL"]; $0.minAge = 18; $0.requiresKYC = true; $0.riskLevel = 1
        }
        #expect(decide(item, for: visitor, rules: rules) == .withheld(rule: .regionBlocked))
        item.blockedRegions = []
        #expect(decide(item, for: visitor, rules: rules) == .withheld(rule: .regionNotAllowed))
        visitor.region = "NL"
        #expect(decide(item, for: visitor, rules: rules) == .withheld(rule: .minAge))
        visitor.birthDate = "2000-01-01"
        #expect(decide(item, for: visitor, rules: rules) == .withheld(rule: .kycRequired))
        visitor.kycStatus = .verified
        #expect(decide(item, for: visitor, rules: rules) == .withheld(rule: .riskFlag))
        visitor.riskFlags = []
        #expect(decide(item, for: visitor, rules: rules) == .allowed(disclosure: nil))
    }
}

@Suite("Category and product rules merge with the catalog")
struct ComplianceMergeTests {
    let rules = ComplianceRules(
        categories: [
            "wine": .init(minAge: 18, allowedRegions: ["NL", "BE", "DE"], blockedRegions: ["SE"], disclosure: "category text"),
            "casino": .init(requiresKYC: true, riskLevel: 2),
        ],
        products: [
            "p-strict": .init(minAge: 21, allowedRegions: ["NL", "DE", "FR"], blockedRegions: ["DE"], disclosure: "product override"),
        ]
    )

    @Test("the highest minimum age wins, whichever level sets it")
    func minAge() {
        var visitor = adult
        visitor.birthDate = "2007-01-01" // 19
        #expect(decide(product("wine"), for: visitor, rules: rules) == .allowed(disclosure: "category text"))
        #expect(decide(product("wine") { $0.minAge = 20 }, for: visitor, rules: rules) == .withheld(rule: .minAge))
        #expect(decide(product("wine", id: "p-strict"), for: visitor, rules: rules) == .withheld(rule: .minAge))
        // A lower age in the rules does not loosen the catalog.
        #expect(decide(product("wine") { $0.minAge = 25 }, for: adult, rules: rules) == .allowed(disclosure: "category text"))
        visitor.birthDate = "2010-01-01" // 16
        #expect(decide(product("wine"), for: visitor, rules: rules) == .withheld(rule: .minAge))
    }

    @Test("blocked regions are the union, allowed regions the intersection")
    func regions() {
        func visitor(_ region: String) -> ComplianceVisitor {
            var visitor = adult
            visitor.region = region
            return visitor
        }
        let strict = product("wine", id: "p-strict")
        #expect(decide(strict, for: visitor("NL"), rules: rules) == .allowed(disclosure: "product override"))
        #expect(decide(strict, for: visitor("DE"), rules: rules) == .withheld(rule: .regionBlocked), "blocked by the product entry")
        #expect(decide(strict, for: visitor("SE"), rules: rules) == .withheld(rule: .regionBlocked), "blocked by the category")
        #expect(decide(strict, for: visitor("BE"), rules: rules) == .withheld(rule: .regionNotAllowed), "not in the product entry's list")
        #expect(decide(strict, for: visitor("FR"), rules: rules) == .withheld(rule: .regionNotAllowed), "not in the category's list")
        let catalogListed = product("wine", id: "p-strict") { $0.allowedRegions = ["FR", "GB"] }
        #expect(decide(catalogListed, for: visitor("NL"), rules: rules) == .withheld(rule: .regionNotAllowed), "not in the catalog's list")
        let catalogBlocked = product("wine") { $0.blockedRegions = ["BE"] }
        #expect(decide(catalogBlocked, for: visitor("BE"), rules: rules) == .withheld(rule: .regionBlocked))
        #expect(decide(catalogBlocked, for: visitor("NL"), rules: rules) == .allowed(disclosure: "category text"))
    }

    @Test("KYC if either requires it; the higher risk level counts")
    func kycAndRisk() {
        var visitor = adult
        visitor.kycStatus = .pending
        #expect(decide(product("casino"), for: visitor, rules: rules) == .withheld(rule: .kycRequired))
        #expect(decide(product { $0.requiresKYC = true }, for: visitor, rules: rules) == .withheld(rule: .kycRequired))
        #expect(decide(product("books"), for: visitor, rules: rules) == .allowed(disclosure: nil))

        let capped = ComplianceRules(categories: rules.categories, riskFlags: ["cap1": .init(maxRiskLevel: 1)])
        visitor = adult
        visitor.riskFlags = ["cap1"]
        #expect(decide(product("casino") { $0.riskLevel = 0 }, for: visitor, rules: capped) == .withheld(rule: .riskFlag))
        #expect(decide(product("books") { $0.riskLevel = 2 }, for: visitor, rules: capped) == .withheld(rule: .riskFlag))
        #expect(decide(product("books") { $0.riskLevel = 1 }, for: visitor, rules: capped) == .allowed(disclosure: nil))
    }

    @Test("disclosure: product entry, then catalog text, then category")
    func disclosurePrecedence() {
        #expect(decide(product("wine", id: "p-strict") { $0.disclosure = "catalog text" }, rules: rules)
            == .allowed(disclosure: "product override"))
        #expect(decide(product("wine") { $0.disclosure = "catalog text" }, rules: rules) == .allowed(disclosure: "catalog text"))
        #expect(decide(product("wine") { $0.disclosure = "" }, rules: rules) == .allowed(disclosure: "category text"))
        #expect(decide(product("wine"), rules: rules) == .allowed(disclosure: "category text"))
        #expect(decide(product("books") { $0.disclosure = "catalog text" }, rules: rules) == .allowed(disclosure: "catalog text"))
        #expect(decide(product("books"), rules: rules) == .allowed(disclosure: nil))
    }
}

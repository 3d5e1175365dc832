import Foundation
import Testing
@testable import Compliance

/// Parses `yaml`, expecting it to fail, and returns the error.
private func errors(_ yaml: String) throws -> ComplianceConfigError {
    do {
        let rules = try ComplianceRules.parse(yaml: yaml)
        Issue.record("expected validation errors, got \(rules)")
        throw CancellationError()
    } catch let error as ComplianceConfigError {
        return error
    }
}

@Suite("compliance.yaml parsing and validation")
struct ComplianceConfigTests {
    @Test("a full file parses into the expected rules")
    func parsesEverything() throws {
        let rules = try ComplianceRules.parse(yaml: """
            version: 1
            defaults:
              unknownAttribute: deny
            categories:
              alcohol: { minAge: 18, disclosure: "Drink responsibly. 18+ only." }
              gambling:
                minAge: 18
                requiresKYC: true
                blockedRegions: [US]
                allowedRegions: [NL, GB, NO]   # NO is Norway, not false
                riskLevel: 3
                disclosure: Gamble responsibly.
            riskFlags:
              gambling_self_excluded: { blockCategories: [gambling], maxRiskLevel: 1 }
              high_risk_blocked: { maxRiskLevel: 1 }
            products:
              p-123: { disclosure: "Product text", minAge: 21 }
            """)
        #expect(rules == ComplianceRules(
            categories: [
                "alcohol": .init(minAge: 18, disclosure: "Drink responsibly. 18+ only."),
                "gambling": .init(minAge: 18, allowedRegions: ["NL", "GB", "NO"], blockedRegions: ["US"], requiresKYC: true,
                                  riskLevel: 3, disclosure: "Gamble responsibly."),
            ],
            riskFlags: [
                "gambling_self_excluded": .init(maxRiskLevel: 1, blockCategories: ["gambling"]),
                "high_risk_blocked": .init(maxRiskLevel: 1),
            ],
            products: ["p-123": .init(minAge: 21, disclosure: "Product text")]
        ))
    }

    @Test("only version is required; empty sections are allowed")
    func minimal() throws {
        #expect(try ComplianceRules.parse(yaml: "version: 1\n") == .empty)
        #expect(try ComplianceRules.parse(yaml: "version: 1\ncategories:\nriskFlags: {}\nproducts: {}\n") == .empty)
    }

    @Test("the shipped config/compliance.yaml parses and covers the demo catalog's restricted categories")
    func shippedFile() throws {
        let url = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("config/compliance.yaml")
        let rules = try ComplianceRules.parse(yaml: String(contentsOf: url, encoding: .utf8))
        #expect(rules.unknownAttribute == .deny)
        #expect(Set(rules.categories.keys) == ["wine_spirits", "gaming", "vaping", "investments", "lottery", "pharmacy"])
        #expect(rules.categories["wine_spirits"]?.minAge == 18)
        #expect(rules.categories["wine_spirits"]?.blockedRegions == ["SE"])
        #expect(rules.categories["investments"]?.requiresKYC == true)
        #expect(rules.categories["vaping"]?.allowedRegions == ["NL", "BE", "DE"])
        #expect(rules.riskFlags["gambling_self_excluded"]?.blockCategories == ["lottery"])
        #expect(rules.riskFlags["vulnerable"] != nil)

        // The demo's self-excluded user (GB, verified, adult) never sees lottery products.
        let selfExcluded = ComplianceVisitor(birthDate: "1979-01-09", region: "GB", kycStatus: .verified,
                                             riskFlags: ["gambling_self_excluded"], consentPersonalization: true)
        let lottery = ComplianceProduct(id: "p-9", category: "lottery", minAge: 18, allowedRegions: ["NL", "GB"], riskLevel: 2,
                                        disclosure: "18+. Play responsibly.")
        let now = utcDate(2026, 6, 15)
        #expect(ComplianceContext(rules: rules, visitor: selfExcluded, now: now).evaluate(lottery) == .withheld(rule: .riskFlag))
        var plain = selfExcluded
        plain.riskFlags = []
        #expect(ComplianceContext(rules: rules, visitor: plain, now: now).evaluate(lottery) == .allowed(disclosure: "18+. Play responsibly."))
    }

    @Test("all errors are collected, each naming its field")
    func severalErrors() throws {
        let error = try errors("""
            version: 1
            categories:
              alcohol:
                minAge: 150
                blockedRegions: [us, SE, Germany]
                requiresKYC: "yes"
                disclosure: ""
              gambling: { riskLevel: 4, minage: 18, allowedRegions: [] }
            riskFlags:
              self_excluded: {}
              vulnerable: { maxRiskLevel: -1, blockCategories: lottery }
            products:
              p-1: { minAge: "18", colour: red }
            extra: true
            """)
        let fields = error.issues.map(\.field)
        #expect(fields == [
            "categories.alcohol.minAge",
            "categories.alcohol.blockedRegions[0]",
            "categories.alcohol.blockedRegions[2]",
            "categories.alcohol.requiresKYC",
            "categories.alcohol.disclosure",
            "categories.gambling.minage",
            "categories.gambling.allowedRegions",
            "categories.gambling.riskLevel",
            "riskFlags.self_excluded",
            "riskFlags.vulnerable.maxRiskLevel",
            "riskFlags.vulnerable.blockCategories",
            "products.p-1.colour",
            "products.p-1.minAge",
            "extra",
        ])
        let text = error.description
        #expect(text.hasPrefix("compliance rules: 14 errors\n"))
        #expect(text.contains("\ncategories.alcohol.minAge: must be an integer from 0 to 99; got 150 (line 4)\n"))
        #expect(text.contains("categories.alcohol.blockedRegions[0]: must be a two-letter uppercase region code (ISO 3166-1 alpha-2, e.g. NL); got us"))
        #expect(text.contains("categories.alcohol.blockedRegions[2]: must be a two-letter uppercase region code (ISO 3166-1 alpha-2, e.g. NL); got Germany"))
        #expect(text.contains("categories.alcohol.requiresKYC: must be true or false; got \"yes\""))
        #expect(text.contains("categories.alcohol.disclosure: must be a non-empty text; got \"\""))
        #expect(text.contains("categories.gambling.minage: unknown key; allowed: minAge, allowedRegions, blockedRegions, requiresKYC, riskLevel, disclosure; did you mean minAge?"))
        #expect(text.contains("categories.gambling.allowedRegions: must list at least one region; leave the key out to allow every region"))
        #expect(text.contains("categories.gambling.riskLevel: must be an integer from 0 to 3; got 4"))
        #expect(text.contains("riskFlags.self_excluded: must set maxRiskLevel, blockCategories or both"))
        #expect(text.contains("riskFlags.vulnerable.maxRiskLevel: must be an integer from 0 to 3; got -1"))
        #expect(text.contains("riskFlags.vulnerable.blockCategories: must be a list of category names, e.g. [lottery]; got lottery"))
        #expect(text.contains("products.p-1.minAge: must be an integer from 0 to 99; got \"18\""))
        #expect(text.contains("extra: unknown key; allowed: version, defaults, categories, riskFlags, products"))
        // Every line after the heading is `field: message`.
        for (line, issue) in zip(text.split(separator: "\n").dropFirst(), error.issues) {
            #expect(line.hasPrefix("\(issue.field): "))
        }
    }

    @Test("wrong types are named with what was found")
    func wrongTypes() throws {
        let error = try errors("""
            version: 1
            defaults: { unknownAttribute: allow }
            categories:
              alcohol: 18
              wine: { minAge: 18.5, allowedRegions: NL, blockedRegions: { SE: true } }
              beer:
            riskFlags: [a, b]
            """)
        #expect(error.issues.map(\.description) == [
            "defaults.unknownAttribute: must be deny (unknown user data always fails closed); got allow (line 2)",
            "categories.alcohol: must be a mapping of restrictions; got 18 (line 4)",
            "categories.wine.minAge: must be an integer from 0 to 99; got 18.5 (line 5)",
            "categories.wine.allowedRegions: must be a list of two-letter region codes, e.g. [NL, BE]; got NL (line 5)",
            "categories.wine.blockedRegions: must be a list of two-letter region codes, e.g. [NL, BE]; got a mapping (line 5)",
            "categories.beer: must be a mapping of restrictions; got nothing (line 6)",
            "riskFlags: must be a mapping of names to entries; got a list (line 7)",
        ])
    }

    @Test("version is required and must be 1")
    func version() throws {
        #expect(try errors("categories: {}").issues.map(\.field) == ["version"])
        #expect(try errors("version: 2").issues.first?.message == "unsupported version 2; this build reads version 1")
        #expect(try errors("version: \"1\"").issues.first?.message == "must be the integer 1; got \"1\"")
    }

    @Test("empty files, non-mapping roots and broken YAML are reported")
    func documentErrors() throws {
        #expect(try errors("").issues.map(\.field) == ["(root)"])
        #expect(try errors("- 1\n- 2").issues.map(\.description) == ["(root): must be a mapping with version, defaults, categories, riskFlags and products; got a list (line 1)"])
        let syntax = try errors("version: 1\ncategories: { alcohol: [\n")
        #expect(syntax.issues.count == 1)
        #expect(syntax.issues.first?.field == "(yaml)")
        let duplicate = try errors("version: 1\nversion: 1\n")
        #expect(duplicate.issues.first?.field == "(yaml)")
        #expect(duplicate.issues.first?.message.contains("version") == true)
    }

    @Test("the error is thrown typed, so callers need no cast")
    func typedThrow() {
        #expect(throws: ComplianceConfigError.self) { try ComplianceRules.parse(yaml: "version: 3") }
        let result: Result<ComplianceRules, ComplianceConfigError> = Result { () throws(ComplianceConfigError) in
            try ComplianceRules.parse(yaml: "version: 1\ncategories: { a: { minAge: 100 } }")
        }
        guard case .failure(let error) = result else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.issues(for: "categories.a.minAge").count == 1)
    }
}

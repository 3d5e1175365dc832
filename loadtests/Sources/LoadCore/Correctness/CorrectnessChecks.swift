/// The pure rules behind "correctness under load".
public enum CorrectnessChecks {
    /// Share of recommended items (known to the catalog) that belong to `category`.
    public static func share(of category: String, in itemIds: [String], catalog: Catalog) -> Double? {
        let known = itemIds.compactMap { catalog.category(of: $0) }
        guard !known.isEmpty else { return nil }
        return Double(known.filter { $0 == category }.count) / Double(known.count)
    }

    /// A probe passes when the focus category's share rose after the session viewed it,
    /// or was already total (nothing left to rise).
    public static func shiftPassed(before: Double, after: Double) -> Bool {
        after > before || (after >= 1 && before >= 1)
    }

    /// Items a test user must not have been shown. Unknown ages fail closed: any age-restricted
    /// item is a violation. Items missing from the catalog are reported separately, not here.
    public static func violations(user: TestUser, region: String?, itemIds: [String], catalog: Catalog) -> [String] {
        var found: [String] = []
        for id in itemIds {
            guard let item = catalog.items[id] else { continue }
            if !item.allows(age: user.age) {
                found.append("\(user.userId) (age \(user.age.map(String.init) ?? "unknown")) got \(id) (\(item.category), minAge \(item.minAge))")
            }
            if let region = region ?? user.region, !item.allows(region: region) {
                found.append("\(user.userId) in \(region) got \(id) (only for \(item.regions.joined(separator: ",")))")
            }
        }
        return found
    }
}

/// Counts kept during the run (one per client thread, merged at the end).
public struct CorrectnessTally: Sendable {
    public var probes = 0
    public var shiftPassed = 0
    public var shiftFailed = 0
    /// Probes that could not judge: no recommendation for a known item, or a failed request.
    public var shiftInconclusive = 0
    public var responsesChecked = 0
    public var violations = 0
    public var violationExamples: [String] = []
    public var unknownItems = 0
    public var degradedResponses = 0

    public init() {}

    public mutating func recordViolations(_ found: [String]) {
        violations += found.count
        for example in found where violationExamples.count < 20 { violationExamples.append(example) }
    }

    public mutating func merge(_ other: CorrectnessTally) {
        probes += other.probes
        shiftPassed += other.shiftPassed
        shiftFailed += other.shiftFailed
        shiftInconclusive += other.shiftInconclusive
        responsesChecked += other.responsesChecked
        violations += other.violations
        for example in other.violationExamples where violationExamples.count < 20 { violationExamples.append(example) }
        unknownItems += other.unknownItems
        degradedResponses += other.degradedResponses
    }
}

public struct CorrectnessSummary: Codable, Sendable {
    public var skippedReason: String?
    public var probes: Int
    public var shiftPassed: Int
    public var shiftFailed: Int
    public var shiftInconclusive: Int
    public var minShiftPassRate: Double
    public var complianceResponsesChecked: Int
    public var complianceViolations: Int
    public var violationExamples: [String]
    public var unknownItems: Int
    public var degradedResponses: Int

    public var shiftPassRate: Double? {
        let judged = shiftPassed + shiftFailed
        return judged == 0 ? nil : Double(shiftPassed) / Double(judged)
    }

    /// Skipped checks do not fail a run; a violation always does.
    public var passed: Bool {
        if skippedReason != nil { return true }
        if complianceViolations > 0 { return false }
        if let rate = shiftPassRate, rate < minShiftPassRate { return false }
        return true
    }

    public init(tally: CorrectnessTally, minShiftPassRate: Double, skippedReason: String?) {
        self.skippedReason = skippedReason
        probes = tally.probes
        shiftPassed = tally.shiftPassed
        shiftFailed = tally.shiftFailed
        shiftInconclusive = tally.shiftInconclusive
        self.minShiftPassRate = minShiftPassRate
        complianceResponsesChecked = tally.responsesChecked
        complianceViolations = tally.violations
        violationExamples = tally.violationExamples
        unknownItems = tally.unknownItems
        degradedResponses = tally.degradedResponses
    }
}

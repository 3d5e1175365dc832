import Foundation

/// `GET /admin/v1/replay/{id}`: a replay while it runs and once it has finished.
public struct ReplayReport: Encodable, Sendable {
    public enum Status: String, Encodable, Sendable {
        case running, done, failed
    }

    public var id: String
    public var status: Status
    public var startedAt: Date
    public var finishedAt: Date?
    /// What was asked for: the newest `sessions` sessions of the last `hours` hours.
    public var sessionsRequested: Int
    public var hours: Int
    public var placement: String
    public var liveConfigVersion: String
    public var draftConfigVersion: String
    /// The frozen copy of the live model both configs ranked on.
    public var modelVersion: String
    /// `admin.replayBudgetSeconds`: reading the log and ranking stop when it is spent.
    public var budgetSeconds: Int
    public var result: ReplayResult?
    public var error: Failure?

    public struct Failure: Encodable, Sendable {
        public var code: String
        public var message: String
    }
}

/// The figures of a finished replay, live against draft.
public struct ReplayResult: Encodable, Sendable {
    /// Sessions read back from the log, and how many of them (newest first) were ranked before
    /// the budget ran out.
    public var sessionsRead: Int
    public var sessionsEvaluated: Int
    /// Answers compared: one per click after a session's first, ranked under each config.
    public var predictions: Int
    public var recordsRead: Int
    /// True when the budget ended the read or the ranking early: the figures cover
    /// `sessionsEvaluated` sessions only.
    public var truncated: Bool
    /// `log` (the read stopped first) or `ranking`; nil when not truncated.
    public var truncatedBy: String?
    /// MRR@cutoff and HR@cutoff of the next click.
    public var cutoff: Int
    public var intervals: String
    public var mrr: Comparison
    public var hitRate: Comparison
    /// Distinct items shown over all answers, as a share of the catalogue's products for sale.
    public var coverage: Comparison
    public var catalogueSize: Int
    /// Per compliance and business rule, the answers it changed (removed at least one item
    /// from) under each config, and the answers where what it removed differs between them.
    public var rules: [RuleChange]
    public var note: String

    public struct RuleChange: Encodable, Sendable {
        public var rule: String
        /// `business` (a rule of the ranking config) or `compliance` (config/compliance.yaml or
        /// the product's own restrictions).
        public var kind: String
        public var live: Estimate
        public var draft: Estimate
        public var changed: Estimate
    }

    static let note = """
        The model copy has learned these sessions from the log: the kNN skips a session's own \
        history, but transitions and co-visits include it, so absolute figures run high; live and \
        draft rank on the same copy, so their difference is fair. Visitors are anonymous with the \
        session's region (profiles are not read).
        """

    init(history: ReplayHistory, pass: RecommendationService.ReplayPass, statistics: ReplayStatistics.Figures) {
        sessionsRead = history.sessions.count
        sessionsEvaluated = pass.tallies.count
        predictions = pass.tallies.reduce(0) { $0 + $1.predictions }
        recordsRead = history.recordsRead
        truncated = !history.complete || pass.truncated
        truncatedBy = !history.complete ? "log" : pass.truncated ? "ranking" : nil
        cutoff = RecommendationService.replayCutoff
        intervals = ReplayStatistics.method
        mrr = statistics.mrr
        hitRate = statistics.hitRate
        coverage = statistics.coverage
        catalogueSize = pass.catalogueSize
        var business = Set<String>()
        for tally in pass.tallies {
            for (rule, counts) in tally.rules where counts.business { business.insert(rule) }
        }
        rules = statistics.rules.keys.sorted().map { name in
            let figures = statistics.rules[name]!
            return RuleChange(
                rule: name, kind: business.contains(name) ? "business" : "compliance", live: figures.live, draft: figures.draft,
                changed: figures.changed)
        }
        note = Self.note
    }
}

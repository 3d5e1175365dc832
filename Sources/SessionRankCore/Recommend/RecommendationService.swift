import Foundation
import Logging
import Recommender
import Synchronization

/// Why an answer used a fallback. Each is counted in `/metrics`.
public enum DegradedReason: String, Sendable, CaseIterable, Codable {
    /// Redis did not answer in time: current item and popularity only.
    case sessionStore = "session_store"
    /// PostgreSQL did not answer in time: cached profile or anonymous, compliance fails closed.
    case profileStore = "profile_store"
    /// The model has learned nothing yet: catalog order.
    case modelEmpty = "model_empty"
    /// The page view named by itemId could not be recorded.
    case eventNotRecorded = "event_not_recorded"
}

/// The answer to /v1/recommend.
public struct RecommendationResponse: Codable, Sendable, Equatable {
    public struct Item: Codable, Sendable, Equatable {
        public var itemId: String
        public var score: Double
        public var position: Int
        public var disclosure: String?
        /// debug only.
        public var components: ScoreComponents?
        /// debug only: "pinned" or "exploration" when a rule placed the item.
        public var placement: String?
    }

    public struct Removed: Codable, Sendable, Equatable {
        public var itemId: String
        public var rule: String
    }

    public var recommendationId: String
    public var items: [Item]
    public var modelVersion: String
    public var configVersion: String
    public var variant: String
    public var personalized: Bool
    public var degraded: Bool
    public var degradedReasons: [DegradedReason]?
    /// debug only: candidates withheld, with the rule that withheld each.
    public var removed: [Removed]?
}

/// /v1/recommend: session state, visitor profile, candidates from the live model, compliance,
/// business rules, top N; then a served record to Kafka. Every dependency has its own timeout
/// inside the call's budget, and a failure turns into a fallback, never an error.
public struct RecommendationService: Sendable {
    let sessions: any SessionStore
    let enricher: EventEnricher
    let ingestor: EventIngestor
    let catalog: ProductCatalog
    let model: LiveModel
    let policy: PolicyHolder
    let compliance: ComplianceGate
    let feedback: any FeedbackPublisher
    let pseudonymizer: Pseudonymizer
    let metrics: ServiceMetrics
    let settings: ServiceConfiguration.RecommendSettings
    let sessionSettings: SessionSettings
    let logger: Logger

    public func recommend(_ query: RecommendQuery, now: Date = Date()) async -> RecommendationResponse {
        let started = ContinuousClock.now
        // A session in an experiment is ranked by its variant's policy, the same on every call.
        let assignment = self.policy.current.assign(query.sessionId)
        let policy = assignment.policy.forPlacement(query.placement.rawValue)
        var reasons: [DegradedReason] = []

        // The profile first (a cache hit for nearly every call), then the page view: stored with
        // that profile, it returns the session it updated, so Redis is asked once per page view.
        let visitor = await enricher.visitor(
            userId: query.userId, requestId: query.requestId, budget: .milliseconds(settings.profileTimeoutMilliseconds))
        // Consent: a known user needs an explicit yes; an unknown profile of a named user counts as no.
        let personalized = visitor.mayPersonalize
        let recommendationId = RecommendationID.make(personalized: personalized)
        var session = SessionState.empty(query.sessionId)
        var sessionFailed = false
        var view = PageViewOutcome(recorded: true, session: nil, sessionFailed: false)
        if let itemId = query.itemId {
            view = await recordPageView(of: itemId, query, visitor: visitor, now: now)
        }
        if let state = view.session {
            if personalized { session = state }
        } else if view.sessionFailed {
            sessionFailed = true
        } else if personalized {
            // Within what is left of the call's budget: the page view may have used some of it.
            let left = Duration.milliseconds(settings.budgetMilliseconds) - (ContinuousClock.now - started)
            switch await readSession(query.sessionId, timeout: min(.milliseconds(settings.sessionTimeoutMilliseconds), left)) {
            case .success(let state): session = state
            case .failure: sessionFailed = true
            }
        }
        if !view.recorded { reasons.append(.eventNotRecorded) }
        if visitor.status == .timedOut || visitor.status == .failed { reasons.append(.profileStore) }
        if sessionFailed { reasons.append(.sessionStore) }

        let region = query.context.region ?? visitor.request?.region ?? visitor.profile?.region ?? session.region
        let gate = compliance.context(profile: visitor.profile, userId: visitor.userId, region: region, now: now)
        let snapshot = catalog.snapshot

        var request = RecommendationRequest(
            sessionId: personalized ? query.sessionId : nil,
            recentItems: session.recentItems.map { SessionItem(itemId: $0.itemId, type: EventType($0.type), timestamp: $0.timestamp) },
            interests: session.interests(at: now.timeIntervalSince1970, halfLifeSeconds: sessionSettings.interestHalfLifeSeconds),
            purchasedItems: session.purchasedItems, cartItems: session.cartItems,
            context: RequestContext(
                region: region, device: query.context.device ?? visitor.request?.device, pageType: query.placement.rawValue,
                hour: Calendar(identifier: .gregorian).component(.hour, from: now)),
            exclude: query.exclude,
            limit: Self.candidateCount(forLimit: query.limit))
        if let itemId = query.itemId, request.recentItems.last?.itemId != itemId {
            request.recentItems.append(SessionItem(itemId: itemId, type: .view, timestamp: now.timeIntervalSince1970))
        }
        if !personalized {
            // Non-personal: only what is on screen now, nothing from the session's history.
            request.recentItems = request.recentItems.suffix(query.itemId == nil ? 0 : 1)
            request.interests = [:]
        }

        let ranking = rank(
            request, currentItem: query.itemId, limit: query.limit, gate: gate, snapshot: snapshot, policy: policy,
            seed: stableHash(recommendationId))
        if ranking.modelEmpty { reasons.append(.modelEmpty) }
        let (outcome, removed, disclosures) = (ranking.outcome, ranking.removed, ranking.disclosures)
        var removedByRule: [String: Int64] = [:]
        for entry in removed { removedByRule[entry.rule, default: 0] += 1 }
        for (rule, count) in removedByRule { metrics.ruleExclusions(rule).increment(by: count) }

        let items = outcome.items.enumerated().map { index, item in
            RecommendationResponse.Item(
                itemId: item.itemId, score: item.score, position: index + 1, disclosure: disclosures[item.itemId],
                components: query.debug ? item.components : nil, placement: query.debug ? item.placement : nil)
        }
        metrics.recommendations.increment()
        for reason in reasons { metrics.recommendDegraded[reason]?.increment() }

        let modelVersion = "m-\(model.model.version)"
        let response = RecommendationResponse(
            recommendationId: recommendationId, items: items, modelVersion: modelVersion, configVersion: policy.version,
            variant: assignment.variant, personalized: personalized, degraded: !reasons.isEmpty,
            degradedReasons: reasons.isEmpty ? nil : reasons, removed: query.debug ? removed : nil)

        let elapsed = ContinuousClock.now - started
        var served = ServedRecord(
            recommendationId: recommendationId,
            sessionId: personalized ? query.sessionId : pseudonymizer.pseudonym(for: query.sessionId),
            personalized: personalized, placement: query.placement.rawValue,
            items: outcome.items.enumerated().map { index, item in
                ServedRecord.Item(itemId: item.itemId, position: index + 1, score: item.score, placement: item.placement, features: item.features)
            },
            modelVersion: modelVersion, configVersion: policy.version, variant: response.variant, degraded: response.degraded,
            latencyMicroseconds: Int(elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000),
            servedAt: now.timeIntervalSince1970)
        served.experiment = assignment.experiment
        feedback.publish(served: served)
        return response
    }

    /// Candidates asked of the engine for an answer of `limit` items: room for what compliance
    /// and the rules remove. Lists the filters leave short are refilled with popular items.
    static func candidateCount(forLimit limit: Int) -> Int { min(max(limit * 5, 50), 500) }

    /// What one ranking pass produced, before anything is recorded or published.
    struct Ranking {
        var outcome: BusinessRuleApplier.Outcome
        /// Compliance withholdings first, then what the business rules removed.
        var removed: [RecommendationResponse.Removed]
        var disclosures: [String: String]
        var modelEmpty: Bool
    }

    /// The pure ranking step: candidates from the live model (or `engine`, a frozen copy of it)
    /// under `policy`, compliance, business rules, top `limit`. No I/O and no metrics, so preview
    /// and replay can rank one request under two policies.
    func rank(
        _ request: RecommendationRequest, currentItem: String?, limit: Int, gate: ComplianceGate.Context, snapshot: CatalogSnapshot,
        policy: RankingPolicy, seed: UInt64, engine: SessionRankModel? = nil
    ) -> Ranking {
        let engine = engine ?? model.model
        let hasLearned = engine.stats.eventsApplied > 0
        var ranked: [RuledItem] = []
        var modelEmpty = false
        if hasLearned {
            ranked = engine.recommend(request, config: policy.engine).map {
                RuledItem(itemId: $0.itemId, score: $0.score, components: $0.components, features: $0.features)
            }
        }
        if ranked.isEmpty {
            modelEmpty = true
            ranked = snapshot.fallbackOrder.lazy.filter { !request.exclude.contains($0) && $0 != currentItem }
                .prefix(request.limit).enumerated().map { RuledItem(itemId: $0.element, score: 1 / Double($0.offset + 1)) }
        }

        // Compliance first: nothing a rule withholds may come back, whatever the business rules say.
        var removed: [RecommendationResponse.Removed] = []
        var disclosures: [String: String] = [:]
        var eligible: [RuledItem] = []
        func screen(_ candidates: [RuledItem]) {
            for candidate in candidates {
                switch gate.check(snapshot.screening[candidate.itemId]) {
                case .allowed(let disclosure):
                    if let disclosure { disclosures[candidate.itemId] = disclosure }
                    eligible.append(candidate)
                case .withheld(let rule):
                    removed.append(.init(itemId: candidate.itemId, rule: rule))
                }
            }
        }
        screen(ranked)

        let applier = BusinessRuleApplier(rules: policy.rules, priceBands: engine.parameters.priceBands)
        func applyRules() -> BusinessRuleApplier.Outcome {
            applier.apply(
                eligible, limit: limit,
                attributes: { snapshot.engineCatalog.items[$0] },
                isEligible: { id in
                    guard case .allowed(let disclosure) = gate.check(snapshot.screening[id]) else { return false }
                    if let disclosure { disclosures[id] = disclosure }
                    return !request.exclude.contains(id)
                },
                seed: seed)
        }
        var outcome = applyRules()
        if outcome.items.count < limit && hasLearned {
            // A narrow session (one category, or mostly restricted items) can leave too few after
            // compliance and diversity caps: popular items follow, scored below every session candidate.
            var popular = request
            popular.recentItems = []
            popular.interests = [:]
            let floor = ranked.map(\.score).min() ?? 0
            var seen = Set(ranked.map(\.itemId))
            let extra = engine.recommend(popular, config: policy.engine).filter { seen.insert($0.itemId).inserted }.map {
                RuledItem(itemId: $0.itemId, score: floor * 0.5 * $0.score, components: $0.components, features: $0.features)
            }
            if !extra.isEmpty {
                screen(extra)
                outcome = applyRules()
            }
        }
        removed += outcome.removed.map { .init(itemId: $0.itemId, rule: $0.rule) }
        return Ranking(outcome: outcome, removed: removed, disclosures: disclosures, modelEmpty: modelEmpty)
    }

    func readSession(_ sessionId: String, timeout: Duration? = nil) async -> Result<SessionState, any Error> {
        let sessions = self.sessions
        let budget = max(timeout ?? .milliseconds(settings.sessionTimeoutMilliseconds), .milliseconds(1))
        do {
            // The deadline also bounds waiting for a connection.
            return .success(try await withDeadline(budget) { try await sessions.session(sessionId, timeout: budget) })
        } catch {
            metrics.sessionStoreFailures.increment()
            logger.warning("session read failed; recommending without session state", metadata: ["error": "\(error)"])
            return .failure(error)
        }
    }

    /// What recording the page view of a call found.
    struct PageViewOutcome {
        /// The view was stored, or there was nothing to store.
        var recorded: Bool
        /// The session after the view, when it was stored in it.
        var session: SessionState?
        /// Redis failed or was too slow: neither stored nor read.
        var sessionFailed: Bool
    }

    /// Records the product view of `itemId`, so one call per page view is enough, and reads the
    /// session back in the same round trip.
    private func recordPageView(of itemId: String, _ query: RecommendQuery, visitor: VisitorLookup, now: Date) async -> PageViewOutcome {
        var event = StorefrontEvent(
            eventId: query.requestId.map { "view-\($0)-\(itemId)" } ?? "view-" + RandomIdentifier.uuidString(), type: .productView,
            sessionId: query.sessionId, timestamp: now.timeIntervalSince1970)
        event.itemId = itemId
        event.userId = query.userId
        event.requestId = query.requestId
        event.context = query.context
        event.context.page = event.context.page ?? query.placement.rawValue
        let view = EnrichedEvent(event: event, status: visitor.status, userId: visitor.userId, request: visitor.request, profile: visitor.profile)
        do {
            let (result, session) = try await ingestor.recordPageView(
                view, now: now.timeIntervalSince1970, budget: .milliseconds(settings.sessionTimeoutMilliseconds))
            return PageViewOutcome(recorded: !result.degraded, session: session, sessionFailed: result.degraded)
        } catch {
            logger.warning("page view not recorded", metadata: ["error": "\(error)"])
            return PageViewOutcome(recorded: false, session: nil, sessionFailed: false)
        }
    }

    package init(sessions: any SessionStore, enricher: EventEnricher, ingestor: EventIngestor, catalog: ProductCatalog, model: LiveModel, policy: PolicyHolder, compliance: ComplianceGate, feedback: any FeedbackPublisher, pseudonymizer: Pseudonymizer, metrics: ServiceMetrics, settings: ServiceConfiguration.RecommendSettings, sessionSettings: SessionSettings, logger: Logger) {
        self.sessions = sessions
        self.enricher = enricher
        self.ingestor = ingestor
        self.catalog = catalog
        self.model = model
        self.policy = policy
        self.compliance = compliance
        self.feedback = feedback
        self.pseudonymizer = pseudonymizer
        self.metrics = metrics
        self.settings = settings
        self.sessionSettings = sessionSettings
        self.logger = logger
    }
}

/// The live ranking policy; swapped whole, so a request sees one version from start to end.
public final class PolicyHolder: Sendable {
    private let value: Mutex<RankingPolicy>

    public init(_ policy: RankingPolicy) { value = Mutex(policy) }

    public var current: RankingPolicy { value.withLock { $0 } }

    public func replace(with policy: RankingPolicy) { value.withLock { $0 = policy } }
}

/// FNV-1a: the same on every replica and run, unlike `hashValue`.
func stableHash(_ text: String) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in text.utf8 {
        hash ^= UInt64(byte)
        hash &*= 0x100_0000_01b3
    }
    return hash
}

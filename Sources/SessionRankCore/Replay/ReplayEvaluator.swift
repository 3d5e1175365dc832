import Foundation
import Recommender

/// Replays sessions under the live and the draft config on a frozen copy of the model: every
/// click after the first is predicted from the clicks before it, as a product page of that
/// session would have asked (`placement`, top 20, the session's region, an anonymous visitor).
///
/// The copy has learned these sessions already (they came through the log), so the kNN skips
/// the session itself, but transitions and co-visits include it: absolute figures run high;
/// the comparison is fair, both sides rank on the same state.
extension RecommendationService {
    static let replayCutoff = 20

    struct ReplayPass {
        var tallies: [SessionTally]
        var items: ItemIndex
        /// True when the deadline stopped the pass before the last session.
        var truncated: Bool
        var catalogueSize: Int
    }

    func replay(
        _ sessions: [ReplaySession], plan: ReplayPlan, engine: SessionRankModel, deadline: ContinuousClock.Instant,
        now: Date = Date()
    ) -> ReplayPass {
        let snapshot = catalog.snapshot
        let live = plan.live.forPlacement(plan.placement.rawValue)
        let draft = plan.draft.forPlacement(plan.placement.rawValue)
        var items = ItemIndex()
        var tallies: [SessionTally] = []
        tallies.reserveCapacity(sessions.count)
        var truncated = false
        for session in sessions {
            if ContinuousClock.now >= deadline {
                truncated = true
                break
            }
            tallies.append(replay(
                session, live: live, draft: draft, placement: plan.placement, engine: engine, snapshot: snapshot, items: &items,
                now: now))
        }
        let catalogueSize = snapshot.products.values.filter(\.forSale).count
        return ReplayPass(tallies: tallies, items: items, truncated: truncated, catalogueSize: catalogueSize)
    }

    private func replay(
        _ session: ReplaySession, live: RankingPolicy, draft: RankingPolicy, placement: Placement, engine: SessionRankModel,
        snapshot: CatalogSnapshot, items: inout ItemIndex, now: Date
    ) -> SessionTally {
        // A click on an item and the view of its page are one step, not a prediction of itself.
        var steps: [ModelEvent] = []
        for event in session.events where steps.last?.itemId != event.itemId { steps.append(event) }
        var tally = SessionTally()
        guard steps.count > 1 else { return tally }
        let region = steps.last(where: { $0.region != nil })?.region
        let gate = compliance.context(profile: nil, userId: nil, region: region, now: now)
        var interests: [String: Double] = [:]
        var reference = steps[0].timestamp
        var carts: [String] = []
        var purchases: [String] = []
        for index in 1..<steps.count {
            let previous = steps[index - 1]
            // Interests as the session store keeps them: weighted by type, halving every half-life.
            let decay = exp2(-(previous.timestamp - reference) / sessionSettings.interestHalfLifeSeconds)
            interests = interests.mapValues { $0 * decay }
            reference = previous.timestamp
            for key in snapshot.engineCatalog.items[previous.itemId]?.interestKeys(priceBands: engine.parameters.priceBands) ?? [] {
                interests[key, default: 0] += interestWeight(previous.type)
            }
            if previous.type == .addToCart { carts.append(previous.itemId) }
            if previous.type == .purchase { purchases.append(previous.itemId) }

            let prefix = steps[..<index].suffix(sessionSettings.recentItemLimit)
            let request = RecommendationRequest(
                sessionId: session.sessionId,
                recentItems: prefix.map { SessionItem(itemId: $0.itemId, type: $0.type, timestamp: $0.timestamp) },
                interests: interests, purchasedItems: purchases, cartItems: carts,
                context: RequestContext(region: region, pageType: placement.rawValue),
                exclude: [], limit: Self.candidateCount(forLimit: Self.replayCutoff))
            let seed = stableHash("\(session.sessionId)#\(index)")
            let target = steps[index].itemId
            let liveRanking = rank(
                request, currentItem: previous.itemId, limit: Self.replayCutoff, gate: gate, snapshot: snapshot, policy: live,
                seed: seed, engine: engine)
            let draftRanking = rank(
                request, currentItem: previous.itemId, limit: Self.replayCutoff, gate: gate, snapshot: snapshot, policy: draft,
                seed: seed, engine: engine)
            tally.predictions += 1
            if let rank = liveRanking.outcome.items.firstIndex(where: { $0.itemId == target }) {
                tally.reciprocalRank.live += 1 / Double(rank + 1)
                tally.hits.live += 1
            }
            if let rank = draftRanking.outcome.items.firstIndex(where: { $0.itemId == target }) {
                tally.reciprocalRank.draft += 1 / Double(rank + 1)
                tally.hits.draft += 1
            }
            for item in liveRanking.outcome.items { tally.shown.live.insert(items.index(item.itemId)) }
            for item in draftRanking.outcome.items { tally.shown.draft.insert(items.index(item.itemId)) }
            Self.countRules(live: liveRanking, draft: draftRanking, into: &tally.rules)
        }
        return tally
    }

    /// Per rule: whether it removed anything under each config, and whether what it removed differs.
    private static func countRules(live: Ranking, draft: Ranking, into rules: inout [String: RuleTally]) {
        let business = Set(live.outcome.removed.map { $0.rule } + draft.outcome.removed.map { $0.rule })
        let liveByRule = Dictionary(grouping: live.removed, by: \.rule).mapValues { Set($0.map(\.itemId)) }
        let draftByRule = Dictionary(grouping: draft.removed, by: \.rule).mapValues { Set($0.map(\.itemId)) }
        for rule in Set(liveByRule.keys).union(draftByRule.keys) {
            let l = liveByRule[rule] ?? []
            let d = draftByRule[rule] ?? []
            var counts = rules[rule] ?? RuleTally()
            if !l.isEmpty { counts.live += 1 }
            if !d.isEmpty { counts.draft += 1 }
            if l != d { counts.changed += 1 }
            if business.contains(rule) { counts.business = true }
            rules[rule] = counts
        }
    }

    /// The session store's weight (`sessions.eventWeights`) for what the log keeps of an event.
    private func interestWeight(_ type: EventType) -> Double {
        let name = switch type {
        case .addToCart: "add_to_cart"
        case .purchase: "purchase"
        default: "product_view"
        }
        return sessionSettings.eventWeights[name] ?? 0
    }
}

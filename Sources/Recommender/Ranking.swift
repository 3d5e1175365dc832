/// Candidate generation, features, scoring and exclusion for one request against one
/// immutable model state.
extension ModelState {
    func recommend(_ request: RecommendationRequest, config: RankingConfig) -> [RankedItem] {
        let session = resolveSession(request)
        let excluded = excludedItems(request, config: config)
        let rankerReady = ranker.isReady(config.ranker)
        let w = config.weights
        // A source with weight 0 is skipped unless the ranker needs its score as a feature.
        func wanted(_ weight: Double) -> Bool { weight != 0 || rankerReady }

        var maps: [(source: CandidateSource, scores: [Int32: Double])] = []
        if wanted(w.knn) {
            let serial = request.sessionId.flatMap { sessions.serial(of: $0) }
            maps.append((.knn, sessions.knnScores(sessionItems: session.distinctItems, excludingSerial: serial, settings: config.knn)))
        }
        if wanted(w.transition) {
            maps.append((.transition, sequences.transitionScores(sessionSequence: session.sequence, steps: config.sequence.sessionItems)))
        }
        if wanted(w.covisitation) {
            maps.append((.covisitation, sequences.covisitationScores(sessionSequence: session.sequence, steps: config.sequence.sessionItems)))
        }
        if wanted(w.association) {
            var antecedents = session.boughtOrCarted
            if let last = session.sequence.last, !antecedents.contains(last) { antecedents.append(last) }
            maps.append((.association, association.scores(antecedents: antecedents, settings: config.association)))
        }
        if wanted(w.recent) {
            var recent: [Int32: Double] = [:]
            var factor = 1.0
            for item in session.sequence.reversed() {
                recent[item, default: 0] += factor
                factor *= config.sequence.recencyDecay
            }
            maps.append((.recent, recent))
        }

        // Candidates: the best of each scored source, popular items, interest matches.
        // Each candidate carries a bit set of the sources that nominated it.
        let perSource = max(config.candidates.perSource, 1)
        var candidates: [Int32: UInt16] = [:]
        candidates.reserveCapacity(perSource * (maps.count + 1))
        func nominate(_ item: Int32, _ source: CandidateSource) {
            if !excluded.contains(item) { candidates[item, default: 0] |= source.bit }
        }
        var bestBySource = [Double](repeating: 0, count: CandidateSource.allCases.count)
        for (source, scores) in maps {
            let best = TopK.select(scores, k: perSource)
            bestBySource[source.ordinal] = best.first?.score ?? 0
            for entry in best { nominate(entry.item, source) }
        }
        let regional = request.context.region.flatMap { regionalPopularity[$0] }
        let popular = popularity.topScores(at: latestTime, limit: perSource)
        bestBySource[CandidateSource.popularity.ordinal] = popular.first?.score ?? 0
        if wanted(w.popularity) || candidates.isEmpty {
            for entry in popular { nominate(entry.item, .popularity) }
        }
        if let regional {
            let popularHere = regional.topScores(at: latestTime, limit: perSource)
            bestBySource[CandidateSource.regionalPopularity.ordinal] = popularHere.first?.score ?? 0
            if wanted(w.regionalPopularity) { for entry in popularHere { nominate(entry.item, .regionalPopularity) } }
        }
        let interestMass = request.interests.values.reduce(0) { $0 + max(0, $1) }
        if interestMass > 0, wanted(w.interest) {
            for item in attributes.interestCandidates(interests: request.interests, perKey: perSource) { nominate(item, .interest) }
        }

        typealias Scored = (item: Int32, components: ScoreComponents, nominatedBy: UInt16)
        var scored: [Scored] = []
        scored.reserveCapacity(candidates.count)
        for (item, nominatedBy) in candidates {
            var c = ScoreComponents()
            for (source, scores) in maps {
                let best = bestBySource[source.ordinal]
                if best > 0, let score = scores[item] { c[source] = score / best }
            }
            let bestPopular = bestBySource[CandidateSource.popularity.ordinal]
            if bestPopular > 0 { c.popularity = min(1, popularity.score(of: item, at: latestTime) / bestPopular) }
            let bestRegional = bestBySource[CandidateSource.regionalPopularity.ordinal]
            if let regional, bestRegional > 0 { c.regionalPopularity = min(1, regional.score(of: item, at: latestTime) / bestRegional) }
            if interestMass > 0 { c.interest = attributes.affinity(of: item, interests: request.interests, positiveMass: interestMass) }
            c.blend = w.knn * c.knn + w.transition * c.transition + w.covisitation * c.covisitation
                + w.association * c.association + w.popularity * c.popularity
                + w.regionalPopularity * c.regionalPopularity + w.interest * c.interest + w.recent * c.recent
            c.final = c.blend
            scored.append((item, c, nominatedBy))
        }

        let sessionPrice = FeatureEncoder.sessionPrice(items: session.distinctItems, attributes: attributes)
        let seen = Set(session.sequence)
        func features(_ item: Int32, _ c: ScoreComponents) -> RankingFeatures {
            var f = RankingFeatures()
            f.knn = c.knn; f.transition = c.transition; f.covisitation = c.covisitation
            f.association = c.association; f.popularity = c.popularity; f.regionalPopularity = c.regionalPopularity
            f.interest = c.interest; f.recent = c.recent; f.blend = c.blend
            f.priceDistance = FeatureEncoder.priceDistance(itemPrice: attributes.price(of: item), sessionPrice: sessionPrice)
            f.seen = seen.contains(item)
            f.device = request.context.device; f.pageType = request.context.pageType; f.hour = request.context.hour
            return f
        }
        if rankerReady {
            for index in scored.indices {
                let p = ranker.probability(FeatureEncoder.encode(features(scored[index].item, scored[index].components)), settings: config.ranker)
                scored[index].components.ranker = p
                scored[index].components.final = p
            }
        }

        // Ties are broken by item index (fixed at interning, restored by snapshots), never by
        // dictionary order, so the output is the same in every process.
        let count = max(request.limit, config.candidates.minimumReturned)
        let top = TopK.select(scored, k: count) { (a: Scored, b: Scored) in
            a.components.final != b.components.final ? a.components.final > b.components.final : a.item < b.item
        }
        return top.map { entry in
            RankedItem(itemId: items.id(at: entry.item), score: entry.components.final, components: entry.components,
                       sources: CandidateSource.allCases.filter { entry.nominatedBy & $0.bit != 0 },
                       features: features(entry.item, entry.components))
        }
    }

    private struct ResolvedSession {
        /// Known items in event order, with repeats.
        var sequence: [Int32] = []
        /// Distinct known items ordered by their most recent occurrence (newest last).
        var distinctItems: [Int32] = []
        /// Purchased and carted items (request lists and session events).
        var boughtOrCarted: [Int32] = []
    }

    private func resolveSession(_ request: RecommendationRequest) -> ResolvedSession {
        var resolved = ResolvedSession()
        resolved.sequence = request.recentItems.compactMap { items.index(of: $0.itemId) }
        var seen = Set<Int32>()
        for item in resolved.sequence.reversed() where seen.insert(item).inserted { resolved.distinctItems.append(item) }
        resolved.distinctItems.reverse()
        var bought: [Int32] = []
        for id in request.cartItems + request.purchasedItems { if let i = items.index(of: id), !bought.contains(i) { bought.append(i) } }
        for event in request.recentItems where event.type == .purchase || event.type == .addToCart {
            if let i = items.index(of: event.itemId), !bought.contains(i) { bought.append(i) }
        }
        resolved.boughtOrCarted = bought
        return resolved
    }

    private func excludedItems(_ request: RecommendationRequest, config: RankingConfig) -> Set<Int32> {
        var ids = request.exclude
        let rules = config.exclusion
        if rules.excludePurchased { ids.formUnion(request.purchasedItems) }
        if rules.excludeInCart { ids.formUnion(request.cartItems) }
        if rules.excludeCurrent, let current = request.recentItems.last { ids.insert(current.itemId) }
        for event in request.recentItems {
            if rules.excludeSeen
                || (rules.excludePurchased && event.type == .purchase)
                || (rules.excludeInCart && event.type == .addToCart) {
                ids.insert(event.itemId)
            }
        }
        return Set(ids.compactMap { items.index(of: $0) })
    }
}

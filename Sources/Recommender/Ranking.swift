/// Candidate generation, features, scoring and exclusion for one request against one
/// immutable model state.
extension ModelState {
    func recommend(_ request: RecommendationRequest, config: RankingConfig) -> [RankedItem] {
        var scratch = RankingScratch()
        return recommend(request, config: config, scratch: &scratch)
    }

    /// Ranks with the caller's working buffers (reset first), so a pooled scratch makes a
    /// request nearly allocation-free apart from the returned list.
    func recommend(_ request: RecommendationRequest, config: RankingConfig, scratch: inout RankingScratch) -> [RankedItem] {
        scratch.reset()
        let session = resolveSession(request)
        markExcluded(request, config: config, in: &scratch.excluded)
        let rankerReady = ranker.isReady(config.ranker)
        let w = config.weights
        // A source with weight 0 is skipped unless the ranker needs its score as a feature.
        func wanted(_ weight: Double) -> Bool { weight != 0 || rankerReady }

        // Score every source into one board (kNN first: its idf pass scales the whole column).
        var scoredSources: [CandidateSource] = []
        if wanted(w.knn) {
            let serial = request.sessionId.flatMap { sessions.serial(of: $0) }
            sessions.accumulateKNN(sessionItems: session.distinctItems, excludingSerial: serial, settings: config.knn, into: &scratch)
            scoredSources.append(.knn)
        }
        if wanted(w.transition) {
            sequences.accumulateTransitions(sessionSequence: session.sequence, steps: config.sequence.sessionItems, into: &scratch.board)
            scoredSources.append(.transition)
        }
        if wanted(w.covisitation) {
            sequences.accumulateCovisitations(sessionSequence: session.sequence, steps: config.sequence.sessionItems, into: &scratch.board)
            scoredSources.append(.covisitation)
        }
        if wanted(w.association) {
            var antecedents = session.boughtOrCarted
            if let last = session.sequence.last, !antecedents.contains(last) { antecedents.append(last) }
            association.accumulate(antecedents: antecedents, settings: config.association, into: &scratch.board)
            scoredSources.append(.association)
        }
        if wanted(w.recent) {
            var factor = 1.0
            for item in session.sequence.reversed() {
                scratch.board.add(factor, to: item, .recent)
                factor *= config.sequence.recencyDecay
            }
            scoredSources.append(.recent)
        }

        // Candidates: the best of each scored source, popular items, interest matches.
        // Each candidate carries a bit set of the sources that nominated it.
        let perSource = max(config.candidates.perSource, 1)
        var nominated = 0
        let excluded = scratch.excluded
        func nominate(_ item: Int32, _ source: CandidateSource, _ board: inout ScoreBoard) {
            if excluded.slot(of: Int(item)) != nil { return }
            let slot = board.slot(for: item)
            if board.nominatedBy[slot] == 0 { nominated += 1 }
            board.nominate(slot: slot, by: source)
        }
        var bestBySource = [Double](repeating: 0, count: CandidateSource.allCases.count)
        for source in scoredSources {
            let best = Self.bestSlots(of: source, in: scratch.board, k: perSource)
            if let first = best.first { bestBySource[source.ordinal] = scratch.board.score(atSlot: Int(first), source) }
            for slot in best { nominate(scratch.board.item(atSlot: Int(slot)), source, &scratch.board) }
        }
        let regional = request.context.region.flatMap { regionalPopularity[$0] }
        let popular = popularity.topScores(at: latestTime, limit: perSource)
        bestBySource[CandidateSource.popularity.ordinal] = popular.first?.score ?? 0
        if wanted(w.popularity) || nominated == 0 {
            for entry in popular { nominate(entry.item, .popularity, &scratch.board) }
        }
        if let regional {
            let popularHere = regional.topScores(at: latestTime, limit: perSource)
            bestBySource[CandidateSource.regionalPopularity.ordinal] = popularHere.first?.score ?? 0
            if wanted(w.regionalPopularity) { for entry in popularHere { nominate(entry.item, .regionalPopularity, &scratch.board) } }
        }
        let interests = InterestVector(request.interests, keys: attributes)
        if !interests.isEmpty, wanted(w.interest) {
            for item in attributes.interestCandidates(interests: request.interests, perKey: perSource) { nominate(item, .interest, &scratch.board) }
        }

        typealias Scored = (item: Int32, components: ScoreComponents, nominatedBy: UInt16)
        var scored: [Scored] = []
        scored.reserveCapacity(nominated)
        let board = scratch.board
        for slot in 0..<board.count where board.nominatedBy[slot] != 0 {
            let item = board.item(atSlot: slot)
            var c = ScoreComponents()
            for source in scoredSources {
                let best = bestBySource[source.ordinal]
                if best > 0 { c[source] = board.score(atSlot: slot, source) / best }
            }
            let bestPopular = bestBySource[CandidateSource.popularity.ordinal]
            if bestPopular > 0 { c.scores.popularity = min(1, popularity.score(of: item, at: latestTime) / bestPopular) }
            let bestRegional = bestBySource[CandidateSource.regionalPopularity.ordinal]
            if let regional, bestRegional > 0 { c.scores.regionalPopularity = min(1, regional.score(of: item, at: latestTime) / bestRegional) }
            if !interests.isEmpty { c.scores.interest = attributes.affinity(of: item, interests: interests) }
            let s = c.scores
            c.scores.blend = w.knn * s.knn + w.transition * s.transition + w.covisitation * s.covisitation
                + w.association * s.association + w.popularity * s.popularity
                + w.regionalPopularity * s.regionalPopularity + w.interest * s.interest + w.recent * s.recent
            c.final = c.scores.blend
            scored.append((item, c, board.nominatedBy[slot]))
        }

        let sessionPrice = FeatureEncoder.sessionPrice(items: session.distinctItems, attributes: attributes)
        func features(_ item: Int32, _ c: ScoreComponents) -> RankingFeatures {
            var f = RankingFeatures()
            f.scores = c.scores
            if !interests.isEmpty {
                let shares = attributes.affinityByKind(of: item, interests: interests)
                f.categoryAffinity = shares.category
                f.brandAffinity = shares.brand
                f.priceBandAffinity = shares.priceBand
            }
            f.priceDistance = FeatureEncoder.priceDistance(itemPrice: attributes.price(of: item), sessionPrice: sessionPrice)
            f.seen = session.sequence.contains(item)
            f.device = request.context.device; f.pageType = request.context.pageType; f.hour = request.context.hour
            return f
        }
        if rankerReady {
            let context = FeatureEncoder.ContextSlots(
                device: request.context.device, pageType: request.context.pageType, hour: request.context.hour)
            for index in scored.indices {
                let p = ranker.probability(features(scored[index].item, scored[index].components), context: context, settings: config.ranker)
                scored[index].components.ranker = p
                scored[index].components.final = p
            }
        }

        // Ties are broken by item index (fixed at interning, restored by snapshots), never by
        // dictionary order, so the output is the same in every process.
        let count = max(request.limit, config.candidates.minimumReturned)
        // Selected on small keys, not on the candidates themselves: the heap moves them around.
        let keys = scored.indices.lazy.map { (index: Int32($0), item: scored[$0].item, score: scored[$0].components.final) }
        let top = TopK.select(keys, k: count) { a, b in a.score != b.score ? a.score > b.score : a.item < b.item }
        return top.map { key in
            let entry = scored[Int(key.index)]
            return RankedItem(
                itemId: items.id(at: entry.item), score: entry.components.final, components: entry.components,
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
        for item in resolved.sequence.reversed() where !resolved.distinctItems.contains(item) { resolved.distinctItems.append(item) }
        resolved.distinctItems.reverse()
        var bought: [Int32] = []
        for id in request.cartItems + request.purchasedItems { if let i = items.index(of: id), !bought.contains(i) { bought.append(i) } }
        for event in request.recentItems where event.type == .purchase || event.type == .addToCart {
            if let i = items.index(of: event.itemId), !bought.contains(i) { bought.append(i) }
        }
        resolved.boughtOrCarted = bought
        return resolved
    }

    /// Marks the indices of items that must not come back (unknown ids cannot be recommended anyway).
    private func markExcluded(_ request: RecommendationRequest, config: RankingConfig, in excluded: inout SlotMap) {
        func mark(_ id: String) { if let i = items.index(of: id) { _ = excluded.slot(for: Int(i)) } }
        let rules = config.exclusion
        for id in request.exclude { mark(id) }
        if rules.excludePurchased { request.purchasedItems.forEach(mark) }
        if rules.excludeInCart { request.cartItems.forEach(mark) }
        if rules.excludeCurrent, let current = request.recentItems.last { mark(current.itemId) }
        for event in request.recentItems {
            if rules.excludeSeen
                || (rules.excludePurchased && event.type == .purchase)
                || (rules.excludeInCart && event.type == .addToCart) {
                mark(event.itemId)
            }
        }
    }

    /// Slots of the `k` best-scored items of one source (score desc, item index asc).
    private static func bestSlots(of source: CandidateSource, in board: ScoreBoard, k: Int) -> [Int32] {
        let scoredSlots = (0..<Int32(board.count)).lazy.filter { board.score(atSlot: Int($0), source) > 0 }
        return TopK.select(scoredSlots, k: k) { a, b in
            let sa = board.score(atSlot: Int(a), source), sb = board.score(atSlot: Int(b), source)
            return sa != sb ? sa > sb : board.item(atSlot: Int(a)) < board.item(atSlot: Int(b))
        }
    }
}

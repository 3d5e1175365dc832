/// All learned state of the engine as one value. The live model keeps a working copy that
/// the writer mutates and publishes copies of it to readers; copies share storage
/// (copy-on-write, chunked), so a publish costs only what changed since the last one.
struct ModelState: Sendable {
    var parameters: ModelParameters
    var items = ItemInterner()
    var sessions = SessionIndex()
    var sequences = SequenceModel()
    var association = AssociationRules()
    var popularity: DecayedPopularity
    var regionalPopularity: [String: DecayedPopularity] = [:]
    var attributes = AttributeIndex()
    var ranker = FTRLRanker()
    var metadata: [String: String] = [:]
    var eventsApplied: Int64 = 0
    var feedbackApplied: Int64 = 0
    var version: UInt64 = 0
    /// Events of new items refused because `maxItems` items are known (not in snapshots).
    var eventsIgnored: Int64 = 0
    /// Newest event time seen: "now" for popularity decay and session aging. Using event time
    /// (not the wall clock) keeps recommendations a pure function of the learned events.
    var latestTime: Double = 0

    init(parameters: ModelParameters) {
        self.parameters = parameters
        popularity = Self.emptyPopularity(parameters)
    }

    static func emptyPopularity(_ parameters: ModelParameters) -> DecayedPopularity {
        DecayedPopularity(halfLifeSeconds: parameters.popularityHalfLifeSeconds, capacity: parameters.popularCandidates)
    }

    mutating func apply(_ event: ModelEvent) {
        guard let item = internWithinBound(event.itemId) else {
            eventsIgnored += 1
            return
        }
        latestTime = max(latestTime, event.timestamp)
        let isPurchase = event.type == .purchase
        let update = sessions.observe(sessionId: event.sessionId, item: item, isPurchase: isPurchase, time: event.timestamp, parameters: parameters)
        sequences.observe(previous: update.previousSequence, item: item, parameters: parameters)
        if isPurchase {
            association.observePurchase(item: item, earlier: update.previousPurchases, cap: parameters.maxNeighboursPerItem)
        }
        let weight = parameters.weight(of: event.type)
        popularity.record(item: item, weight: weight, time: event.timestamp)
        if let region = event.region {
            regionalPopularity[region, default: Self.emptyPopularity(parameters)].record(item: item, weight: weight, time: event.timestamp)
        }
        sessions.evict(now: latestTime, window: parameters.sessionWindowSeconds, maxLiveSessions: parameters.maxLiveSessions, tick: eventsApplied)
        eventsApplied += 1
        version &+= 1
    }

    /// The item's index, interning it only while fewer than `maxItems` are known: every
    /// per-item table grows with the interner, so this bounds them all.
    mutating func internWithinBound(_ itemId: String) -> Int32? {
        if let known = items.index(of: itemId) { return known }
        guard items.count < parameters.maxItems else { return nil }
        return items.intern(itemId)
    }

    mutating func setAttributes(_ attributes: ItemAttributes, for itemId: String) {
        guard let item = internWithinBound(itemId) else { return }
        self.attributes.set(attributes, for: item, priceBands: parameters.priceBands)
        version &+= 1
    }

    mutating func learn(from feedback: FeedbackExample, settings: RankerSettings) {
        for served in feedback.served {
            let label = served.clicked || served.purchased
            ranker.update(FeatureEncoder.encode(served.features, position: served.position), label: label, importance: served.purchased ? 2 : 1, settings: settings)
        }
        feedbackApplied += 1
        version &+= 1
    }
}

import Foundation
import Recommender

/// A simulated storefront that closes the feedback loop in memory, to measure what the online
/// ranker gains over the blend it replaces.
///
/// Visitors have a hidden taste: a favourite category and a price band. Each page view asks the
/// model for a list; the visitor looks down the list (less likely the lower the position) and
/// clicks an item with a probability that depends only on how well it matches the taste. (It
/// used to be halved for items already viewed in the visit: an effect the ranker's `seen`
/// feature can learn but the blend, whose `recent` weight can only push seen items up, cannot;
/// issue 23 removed it so the taste favours neither.) A click is the next page view; without a
/// click the visitor either browses on by themselves or leaves. Every view is learned as an
/// event, and every clicked list is learned by the ranker through the same join rule the
/// service applies to topic `feedback` (`FeedbackExample.forPositive`).
///
/// Two arms run the same visitors with the same random draws (each decision's draw depends
/// only on visitor, page view and position, never on what another decision consumed): the
/// ranker switched on (it takes over after `RankerSettings.minFeedback` positives), and
/// switched off (the blend ranks throughout). Everything is seeded and single-threaded, so a
/// run is exactly repeatable.
public struct StorefrontSimulation: Sendable {
    public struct Settings: Sendable, Equatable {
        public var seed: UInt64 = 1
        /// Seed of the visitors (tastes, devices) and of every draw of their visits; nil: `seed`.
        /// Another value gives other visitors of the same store (the catalogue comes from
        /// `seed` alone): `FeedbackStudy` tunes the blend on such a validation sample.
        public var visitorSeed: UInt64?
        public var categories = 8
        public var itemsPerCategory = 40
        public var brandsPerCategory = 4
        /// Visits learned before the first measured visitor (self-directed browsing, no lists):
        /// the same starting model for both arms.
        public var warmUpVisits = 400
        public var visitors = 1_200
        public var maxPageViews = 6
        /// Items served per list.
        public var listSize = 10
        /// The visitors are reported in this many consecutive phases of equal size.
        public var phases = 6
        /// The ranking config of the "ranker on" arm; the "off" arm is the same with `ranker.enabled = false`.
        public var config = RankingConfig.default

        public init() {}
    }

    /// Served lists and clicks of one phase of one arm.
    public struct Phase: Sendable, Equatable {
        public var lists = 0
        public var clickedLists = 0
        /// Lists ranked by the ranker (0 before it is ready, and always in the "off" arm).
        public var rankerLists = 0

        /// Clicked lists per served list (a visitor clicks at most one item of a list).
        public var clickThroughRate: Double { lists == 0 ? 0 : Double(clickedLists) / Double(lists) }
    }

    public struct Arm: Sendable, Equatable {
        public var phases: [Phase]
        public var rankerPositives: Int64

        /// Click-through rate over the phases in `range` taken together.
        public func clickThroughRate(phases range: Range<Int>) -> Double {
            let chosen = phases[range]
            let lists = chosen.reduce(0) { $0 + $1.lists }
            return lists == 0 ? 0 : Double(chosen.reduce(0) { $0 + $1.clickedLists }) / Double(lists)
        }

        /// The last third of the phases (rounded up).
        public var lastThirdClickThroughRate: Double {
            let count = max(1, (phases.count + 2) / 3)
            return clickThroughRate(phases: (phases.count - count)..<phases.count)
        }
    }

    public struct Comparison: Sendable, Equatable {
        public var rankerOn: Arm
        public var rankerOff: Arm

        /// Last-third CTR, ranker on / ranker off.
        public var lastThirdGain: Double {
            rankerOff.lastThirdClickThroughRate == 0 ? 0 : rankerOn.lastThirdClickThroughRate / rankerOff.lastThirdClickThroughRate
        }

        public func table(visitorsPerPhase: Int) -> String {
            var lines = ["| phase | visitors | CTR ranker off | CTR ranker on | lists ranked by the ranker (on) |", "|---|---|---|---|---|"]
            for (index, (off, on)) in zip(rankerOff.phases, rankerOn.phases).enumerated() {
                let first = index * visitorsPerPhase + 1
                lines.append(String(format: "| %d | %d–%d | %.3f | %.3f | %.0f %% |", index + 1, first, first + visitorsPerPhase - 1,
                                    off.clickThroughRate, on.clickThroughRate, on.lists == 0 ? 0 : 100 * Double(on.rankerLists) / Double(on.lists)))
            }
            lines.append(String(format: "last third: ranker off %.3f, ranker on %.3f, gain ×%.2f (ranker positives learned: %d)",
                                rankerOff.lastThirdClickThroughRate, rankerOn.lastThirdClickThroughRate, lastThirdGain, rankerOn.rankerPositives))
            return lines.joined(separator: "\n")
        }
    }

    public let settings: Settings
    let catalog: [SimulatedItem]
    let itemsByCell: [[Int]]
    let itemsByCategory: [[Int]]

    struct SimulatedItem {
        var id: String
        var category: Int
        var band: Int
        var attributes: ItemAttributes
    }

    struct Visitor {
        var index: Int
        var category: Int
        var band: Int
        var device: String
    }

    static let bandPrices: [(low: Double, high: Double)] = [(5, 25), (25, 100), (100, 500), (500, 2_000)]

    public init(settings: Settings = Settings()) {
        self.settings = settings
        var rng = SeededGenerator(seed: settings.seed)
        var catalog: [SimulatedItem] = []
        var cells = [[Int]](repeating: [], count: settings.categories * Self.bandPrices.count)
        var byCategory = [[Int]](repeating: [], count: settings.categories)
        for category in 0..<settings.categories {
            for number in 0..<settings.itemsPerCategory {
                // Bands in turn, so every (category, band) cell has items; prices log-uniform in the band.
                let band = number % Self.bandPrices.count
                let (low, high) = Self.bandPrices[band]
                let price = (exp(log(low) + Double.random(in: 0..<1, using: &rng) * (log(high) - log(low))) * 100).rounded() / 100
                let brand = "b\(category)-\(Int.random(in: 0..<max(1, settings.brandsPerCategory), using: &rng))"
                let id = String(format: "sim-%02d-%03d", category, number)
                cells[category * Self.bandPrices.count + band].append(catalog.count)
                byCategory[category].append(catalog.count)
                catalog.append(SimulatedItem(
                    id: id, category: category, band: band,
                    attributes: ItemAttributes(category: "c\(category)", brand: brand, price: price)))
            }
        }
        self.catalog = catalog
        self.itemsByCell = cells
        self.itemsByCategory = byCategory
    }

    /// Runs both arms on the same visitors.
    public func compare() -> Comparison {
        let start = warmedUpModel()
        var off = settings.config
        off.ranker.enabled = false
        return Comparison(rankerOn: run(model: start.copy(), config: settings.config), rankerOff: run(model: start.copy(), config: off))
    }

    /// One arm with `config` (ranker on or off as the config says), from the warmed-up model.
    public func measure(config: RankingConfig) -> Arm {
        run(model: warmedUpModel(), config: config)
    }

    /// The starting model: catalogue attributes and `warmUpVisits` self-directed visits.
    func warmedUpModel() -> SessionRankModel {
        let model = SessionRankModel()
        model.updateCatalog(ItemCatalog(items: Dictionary(uniqueKeysWithValues: catalog.map { ($0.id, $0.attributes) })))
        var events: [ModelEvent] = []
        for index in 0..<settings.warmUpVisits {
            let visitor = visitor(index - settings.warmUpVisits)
            var time = visitStart(visitor)
            var item = selfDirectedItem(visitor, step: 0)
            for step in 0..<settings.maxPageViews {
                events.append(ModelEvent(sessionId: "warm-\(index)", itemId: catalog[item].id, type: .view, timestamp: time))
                time += 30
                if step > 0, draw(visitor, step, 900) < 0.3 { break }
                item = selfDirectedItem(visitor, step: step + 1)
            }
        }
        model.apply(contentsOf: events)
        return model
    }

    /// One arm: every visitor in order, learning events and feedback as they happen.
    func run(model: SessionRankModel, config: RankingConfig) -> Arm {
        let perPhase = max(1, settings.visitors / max(1, settings.phases))
        var phases = [Phase](repeating: Phase(), count: max(1, settings.phases))
        for index in 0..<settings.visitors {
            let phase = min(phases.count - 1, index / perPhase)
            visit(visitor(index), model: model, config: config, phase: &phases[phase])
        }
        return Arm(phases: phases, rankerPositives: model.stats.rankerPositives)
    }

    private func visit(_ visitor: Visitor, model: SessionRankModel, config: RankingConfig, phase: inout Phase) {
        let sessionId = "visitor-\(visitor.index)"
        var time = visitStart(visitor)
        var viewed: [SessionItem] = []
        var interests: [String: Double] = [:]
        var current = selfDirectedItem(visitor, step: 0)
        for step in 0..<settings.maxPageViews {
            // The page view: recorded like the service records it (session state, then the log).
            let item = catalog[current]
            viewed.append(SessionItem(itemId: item.id, type: .view, timestamp: time))
            if let last = viewed.dropLast().last?.timestamp {
                // The server's interest vector: event weight per attribute key, halving every 10 minutes.
                let factor = pow(0.5, (time - last) / 600)
                for key in interests.keys { interests[key]! *= factor }
            }
            for key in item.attributes.interestKeys() { interests[key, default: 0] += 1 }
            model.apply(contentsOf: [ModelEvent(sessionId: sessionId, itemId: item.id, type: .view, timestamp: time)])
            if step == settings.maxPageViews - 1 { break }

            let request = RecommendationRequest(
                sessionId: sessionId, recentItems: viewed, interests: interests,
                context: RequestContext(device: visitor.device, pageType: "product", hour: Int(time / 3_600) % 24),
                limit: settings.listSize)
            let served = Array(model.recommend(request, config: config).prefix(settings.listSize))
            phase.lists += 1
            if served.first?.components.ranker != nil { phase.rankerLists += 1 }

            var clicked: Int?
            for (position, candidate) in served.enumerated() {
                guard let index = itemIndex(candidate.itemId) else { continue }
                let probability = clickProbability(catalog[index], for: visitor, position: position)
                if draw(visitor, step, position) < probability {
                    clicked = index
                    break
                }
            }
            time += 30
            if let clicked {
                phase.clickedLists += 1
                if let example = FeedbackExample.forPositive(
                    sessionId: sessionId, served: served.map { ($0.itemId, $0.features) }, itemId: catalog[clicked].id,
                    purchased: false, firstPositive: true)
                {
                    model.learn(from: example, config: config)
                }
                current = clicked
            } else if draw(visitor, step, 901) < 0.5 {
                current = selfDirectedItem(visitor, step: step + 1)
            } else {
                break
            }
        }
    }

    // MARK: the hidden click model

    /// Chance that the visitor looks at the item at `position` (0-based): 1, 0.85, 0.72, …
    static func examination(position: Int) -> Double { pow(0.85, Double(position)) }

    /// Chance of a click once looked at: 0.02 for an item of neither the favourite category nor
    /// the price band, ×3 for the category, ×3 for the band. Nothing else counts: not whether
    /// the visit has seen the item, nor which arm or model placed it there.
    func attraction(_ item: SimulatedItem, for visitor: Visitor) -> Double {
        var chance = 0.02
        if item.category == visitor.category { chance *= 3 }
        if item.band == visitor.band { chance *= 3 }
        return chance
    }

    /// Chance that the visitor clicks `item` served at `position` (0-based), if they get that far.
    func clickProbability(_ item: SimulatedItem, for visitor: Visitor, position: Int) -> Double {
        Self.examination(position: position) * attraction(item, for: visitor)
    }

    /// Where a visitor goes by themselves: half the time their favourite cell, a quarter their
    /// category in any band, else anywhere.
    func selfDirectedItem(_ visitor: Visitor, step: Int) -> Int {
        let u = draw(visitor, step, 902)
        let pick = draw(visitor, step, 903)
        let pool: [Int]
        if u < 0.5 {
            pool = itemsByCell[visitor.category * Self.bandPrices.count + visitor.band]
        } else if u < 0.75 {
            pool = itemsByCategory[visitor.category]
        } else {
            pool = Array(catalog.indices)
        }
        return pool[min(pool.count - 1, Int(pick * Double(pool.count)))]
    }

    func visitor(_ index: Int) -> Visitor {
        let taste = draw(index, 0, 904)
        let band = draw(index, 0, 905)
        let device = draw(index, 0, 906)
        return Visitor(
            index: index, category: min(settings.categories - 1, Int(taste * Double(settings.categories))),
            band: min(Self.bandPrices.count - 1, Int(band * Double(Self.bandPrices.count))), device: device < 0.6 ? "mobile" : "desktop")
    }

    /// Visits start 200 s apart, longer than a visit lasts, so event times only grow (warm-up
    /// visits come before the first visitor).
    func visitStart(_ visitor: Visitor) -> Double { 1_700_000_000 + Double(visitor.index) * 200 }

    private func itemIndex(_ id: String) -> Int? {
        // "sim-CC-NNN"
        let parts = id.split(separator: "-")
        guard parts.count == 3, let category = Int(parts[1]), let number = Int(parts[2]) else { return nil }
        let index = category * settings.itemsPerCategory + number
        return catalog.indices.contains(index) && catalog[index].id == id ? index : nil
    }

    // MARK: common random numbers

    private func draw(_ visitor: Visitor, _ step: Int, _ slot: Int) -> Double { draw(visitor.index, step, slot) }

    /// A uniform number in [0, 1) fixed by (seed, visitor, page view, slot) alone, so both arms
    /// see the same draw for the same decision.
    private func draw(_ visitor: Int, _ step: Int, _ slot: Int) -> Double {
        var generator = SeededGenerator(
            seed: (settings.visitorSeed ?? settings.seed) &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(bitPattern: Int64(visitor)) &* 0xBF58_476D_1CE4_E5B9
                ^ UInt64(step) << 40 ^ UInt64(slot) << 20)
        return Double(generator.next() >> 11) / Double(1 << 53)
    }
}

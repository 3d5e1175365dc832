/// Builds storefront session plans: synthetic (Zipf item popularity) or replayed,
/// with a share of them turned into category-shift probes and test-user sessions.
public struct SessionPlanner: Sendable {
    public let settings: SessionSettings
    public let universe: ItemUniverse
    public let correctness: CorrectnessSettings
    public let catalog: Catalog?
    public let replay: ReplaySessions?
    /// Distinguishes this run's session ids from earlier runs' (sessions live on in Redis).
    public let runTag: String
    private let zipf: ZipfSampler

    public init(
        settings: SessionSettings, universe: ItemUniverse, correctness: CorrectnessSettings,
        catalog: Catalog?, replay: ReplaySessions?, runTag: String
    ) {
        self.settings = settings
        self.universe = universe
        self.correctness = correctness
        self.catalog = catalog
        self.replay = replay
        self.runTag = runTag
        zipf = ZipfSampler(count: max(universe.itemCount, 1), exponent: universe.zipfExponent)
    }

    public func randomItem(using generator: inout SeededGenerator) -> String {
        universe.itemId(rank: zipf.sample(using: &generator))
    }

    func thinkNanos(using generator: inout SeededGenerator) -> UInt64 {
        let ms = generator.nextExponential(mean: settings.thinkTimeMeanMs)
        let clamped = min(max(ms, settings.thinkTimeMinMs), settings.thinkTimeMaxMs)
        return UInt64(clamped * 1_000_000)
    }

    /// Maps a replayed item id onto the demo catalog so the service knows it.
    func mapReplayed(_ item: String) -> String {
        guard settings.replayItemMapping == "hash" else { return item }
        // FNV-1a: stable across runs and platforms, unlike Hasher.
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in item.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return universe.itemId(rank: Int(hash % UInt64(max(universe.itemCount, 1))))
    }

    public func plan(index: Int, workload: Int, using generator: inout SeededGenerator) -> SessionPlan {
        let sessionId = "lt-\(runTag)-s\(index)"
        var plan = SessionPlan(
            workload: workload,
            sessionId: sessionId,
            deviceId: "lt-\(runTag)-d\(index)",
            userId: nil,
            testUser: nil,
            region: universe.regions.isEmpty ? "DE" : universe.regions[Int(generator.next() % UInt64(universe.regions.count))],
            device: universe.devices.isEmpty ? "desktop" : universe.devices[Int(generator.next() % UInt64(universe.devices.count))],
            pageViews: [],
            probeCategory: nil
        )
        if generator.nextUnit() < universe.loggedInShare && universe.userCount > 0 {
            plan.userId = universe.userId(index: Int(generator.next() % UInt64(universe.userCount)))
        }
        if catalog != nil, !correctness.testUsers.isEmpty, generator.nextUnit() < correctness.testUserShare {
            let user = correctness.testUsers[Int(generator.next() % UInt64(correctness.testUsers.count))]
            plan.testUser = user
            plan.userId = user.userId
            if let region = user.region { plan.region = region }
        }
        if let catalog, catalog.categories.count > 1, generator.nextUnit() < correctness.probeShare {
            planProbe(&plan, catalog: catalog, using: &generator)
            if plan.isProbe { return plan }
        }
        if let replay, !replay.sessions.isEmpty {
            let session = replay.sessions[index % replay.sessions.count]
            var offset: UInt64 = 0
            for (position, item) in session.items.enumerated() {
                if position > 0 { offset += thinkNanos(using: &generator) }
                plan.pageViews.append(.init(offsetNanos: offset, itemId: mapReplayed(item)))
            }
            return plan
        }
        let low = max(1, settings.minPageViews)
        let count = low + Int(generator.next() % UInt64(max(settings.maxPageViews - low + 1, 1)))
        var offset: UInt64 = 0
        for position in 0..<count {
            if position > 0 { offset += thinkNanos(using: &generator) }
            plan.pageViews.append(.init(offsetNanos: offset, itemId: randomItem(using: &generator)))
        }
        return plan
    }

    /// A probe views one popular item, then `focusViews` items of another category, so its
    /// first and last recommendations can be compared for that category's share.
    private func planProbe(_ plan: inout SessionPlan, catalog: Catalog, using generator: inout SeededGenerator) {
        var first = randomItem(using: &generator)
        if catalog.items[first] == nil, let any = catalog.items.keys.min() { first = any }
        let firstCategory = catalog.category(of: first)
        // No session can shift towards items it may not be shown, so the focus is drawn from
        // what this visitor may see: the service fails closed on an age it does not know (every
        // visitor but a test user with an age) and keeps items to their allowed regions.
        let age = plan.testUser?.age
        let region = plan.region
        func mayShow(_ id: String) -> Bool {
            guard let item = catalog.items[id] else { return false }
            return item.allows(age: age) && item.allows(region: region)
        }
        let choices = catalog.categories.filter { category in
            category != firstCategory && (catalog.itemsByCategory[category] ?? []).contains(where: mayShow)
        }
        guard !choices.isEmpty else { return }
        let focus = choices[Int(generator.next() % UInt64(choices.count))]
        let pool = (catalog.itemsByCategory[focus] ?? []).filter(mayShow)
        var offset: UInt64 = 0
        plan.pageViews = [.init(offsetNanos: 0, itemId: first)]
        for _ in 0..<max(1, correctness.focusViews) {
            offset += thinkNanos(using: &generator)
            plan.pageViews.append(.init(offsetNanos: offset, itemId: pool[Int(generator.next() % UInt64(pool.count))]))
        }
        plan.probeCategory = focus
    }
}

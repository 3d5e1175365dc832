import LoadCore

/// A storefront session while it runs: its plan, and what its last answer said.
struct SessionRuntime {
    let plan: SessionPlan
    /// A page view is in progress; later page views wait for it (a visitor reads one page at a time).
    var isBusy = false
    /// Page views that came due while busy, with their intended times.
    var queued: [(page: Int, intended: UInt64)] = []
    /// The item the visitor clicked in the last recommendations, viewed next instead of the plan's.
    var clickedItem: String?
    /// A probe's share of its focus category in the first recommendation.
    var baselineShare: Double?

    init(plan: SessionPlan) {
        self.plan = plan
    }
}

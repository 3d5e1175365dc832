/// One storefront visitor, decided before the run starts so the timeline is fixed.
public struct SessionPlan: Sendable {
    public struct PageView: Sendable, Equatable {
        /// Nanoseconds after the session's arrival.
        public var offsetNanos: UInt64
        public var itemId: String
        public init(offsetNanos: UInt64, itemId: String) {
            self.offsetNanos = offsetNanos
            self.itemId = itemId
        }
    }

    /// Index of the storefront workload the session belongs to (its settings apply).
    public var workload: Int
    public var sessionId: String
    public var deviceId: String
    public var userId: String?
    /// Set when the visitor is a test user whose recommendations are checked for compliance.
    public var testUser: TestUser?
    public var region: String
    public var device: String
    public var pageViews: [PageView]
    /// Set on category-shift probes: the category the later page views focus on.
    public var probeCategory: String?

    public init(
        workload: Int, sessionId: String, deviceId: String, userId: String?, testUser: TestUser?, region: String,
        device: String, pageViews: [PageView], probeCategory: String?
    ) {
        self.workload = workload
        self.sessionId = sessionId
        self.deviceId = deviceId
        self.userId = userId
        self.testUser = testUser
        self.region = region
        self.device = device
        self.pageViews = pageViews
        self.probeCategory = probeCategory
    }

    public var isProbe: Bool { probeCategory != nil }
}

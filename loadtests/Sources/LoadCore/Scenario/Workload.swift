/// One independent stream of traffic with its own arrival rate.
public struct Workload: Codable, Sendable {
    public enum Kind: String, Codable, Sendable {
        /// Visitors arrive at `rate` per second and each walks a session of page views.
        case storefront
        /// Independent `GET /v1/recommend` calls for synthetic sessions.
        case recommend
        /// Independent `POST /v1/events` calls of `batchSize` events.
        case events
        /// Authenticated admin reads (`path`, default `/admin/v1/config`).
        case admin
        /// `GET /health/live` (or `path`): the ceiling of this machine and harness.
        case health
    }

    public var kind: Kind
    /// Arrivals per second: requests, or visitors for `storefront`.
    public var rate: RateProfile
    /// Events per request for `events`.
    public var batchSize: Int
    /// Path for `admin` and `health`.
    public var path: String?
    /// Environment variable holding the admin bearer token (`admin` only).
    public var tokenEnv: String
    /// Recommend placement and size.
    public var placement: String
    public var limit: Int
    /// Use `POST /v1/recommend` with a JSON body instead of `GET` with a query.
    public var recommendMethod: String
    public var session: SessionSettings

    public init(kind: Kind, rate: RateProfile) {
        self.kind = kind
        self.rate = rate
        batchSize = 1
        path = nil
        tokenEnv = "SESSIONRANK_ADMIN_TOKEN"
        placement = "product"
        limit = 10
        recommendMethod = "GET"
        session = SessionSettings()
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var w = Workload(kind: try c.decode(Kind.self, forKey: .kind), rate: try c.decode(RateProfile.self, forKey: .rate))
        w.batchSize = try c.decodeIfPresent(Int.self, forKey: .batchSize) ?? w.batchSize
        w.path = try c.decodeIfPresent(String.self, forKey: .path)
        w.tokenEnv = try c.decodeIfPresent(String.self, forKey: .tokenEnv) ?? w.tokenEnv
        w.placement = try c.decodeIfPresent(String.self, forKey: .placement) ?? w.placement
        w.limit = try c.decodeIfPresent(Int.self, forKey: .limit) ?? w.limit
        w.recommendMethod = try c.decodeIfPresent(String.self, forKey: .recommendMethod) ?? w.recommendMethod
        w.session = try c.decodeIfPresent(SessionSettings.self, forKey: .session) ?? w.session
        self = w
    }

    /// The path this workload calls when it is a single-request workload.
    public var effectivePath: String {
        switch kind {
        case .storefront, .recommend: return "/v1/recommend"
        case .events: return "/v1/events"
        case .admin: return path ?? "/admin/v1/config"
        case .health: return path ?? "/health/live"
        }
    }
}

/// How one storefront visitor behaves.
public struct SessionSettings: Codable, Sendable {
    public enum Source: String, Codable, Sendable {
        case synthetic
        /// Replays item sequences from a `SessionId\tItemId\tTime` TSV (header line).
        case replay
    }

    public var source: Source = .synthetic
    public var replayFile: String?
    /// Map replayed item ids onto the demo catalog (`hash`) or send them as they are (`asIs`).
    public var replayItemMapping: String = "hash"
    /// Synthetic session length, page views, uniform in [min, max].
    public var minPageViews: Int = 3
    public var maxPageViews: Int = 12
    /// Think time between page views: exponential with this mean, clamped to [min, max].
    public var thinkTimeMeanMs: Double = 2000
    public var thinkTimeMinMs: Double = 200
    public var thinkTimeMaxMs: Double = 15000
    public var clickProbability: Double = 0.25
    public var addToCartProbability: Double = 0.05
    /// Post the `product_view` event, then ask for recommendations without `itemId`
    /// (the call would record the view again). When false, `/v1/recommend?itemId=` records it.
    public var postEventBeforeRecommend: Bool = true

    public init() {}

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var s = SessionSettings()
        s.source = try c.decodeIfPresent(Source.self, forKey: .source) ?? s.source
        s.replayFile = try c.decodeIfPresent(String.self, forKey: .replayFile)
        s.replayItemMapping = try c.decodeIfPresent(String.self, forKey: .replayItemMapping) ?? s.replayItemMapping
        s.minPageViews = try c.decodeIfPresent(Int.self, forKey: .minPageViews) ?? s.minPageViews
        s.maxPageViews = try c.decodeIfPresent(Int.self, forKey: .maxPageViews) ?? s.maxPageViews
        s.thinkTimeMeanMs = try c.decodeIfPresent(Double.self, forKey: .thinkTimeMeanMs) ?? s.thinkTimeMeanMs
        s.thinkTimeMinMs = try c.decodeIfPresent(Double.self, forKey: .thinkTimeMinMs) ?? s.thinkTimeMinMs
        s.thinkTimeMaxMs = try c.decodeIfPresent(Double.self, forKey: .thinkTimeMaxMs) ?? s.thinkTimeMaxMs
        s.clickProbability = try c.decodeIfPresent(Double.self, forKey: .clickProbability) ?? s.clickProbability
        s.addToCartProbability = try c.decodeIfPresent(Double.self, forKey: .addToCartProbability) ?? s.addToCartProbability
        s.postEventBeforeRecommend = try c.decodeIfPresent(Bool.self, forKey: .postEventBeforeRecommend) ?? s.postEventBeforeRecommend
        self = s
    }
}

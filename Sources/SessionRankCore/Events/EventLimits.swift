/// Bounds on what one request may carry. Part of the service configuration (`events.*`).
public struct EventLimits: Sendable, Equatable {
    public var maxBatchSize = 500
    public var maxIdLength = 128
    public var maxQueryLength = 512
    public var maxReferrerLength = 2_048
    public var maxContextValueLength = 64
    /// Client clocks drift; further ahead than this is a bug, not drift.
    public var maxFutureSkewSeconds = 300.0
    /// Older events are refused: they would no longer change a live session.
    public var maxAgeSeconds = 7.0 * 86_400
    /// How long `POST /v1/events` waits for the broker to acknowledge its events before it
    /// answers 503 (they stay unpublished in the session, so the retry publishes them).
    public var ackTimeoutMilliseconds = 2_000

    public init() {}
}

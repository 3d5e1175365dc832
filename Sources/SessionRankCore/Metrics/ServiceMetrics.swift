import Prometheus
import Synchronization

/// The service's own metrics, created up front in one registry so `/metrics` always lists them.
public final class ServiceMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry

    let eventsAccepted: [StorefrontEventType: Counter]
    let eventsRejected: Counter
    let eventsDuplicate: Counter
    let eventsUnpersonalized: Counter
    let eventsShed: Counter
    let eventsRepublished: Counter
    /// Events whose acknowledgement from the broker did not come within `events.ackTimeoutMilliseconds`.
    let eventsAckTimedOut: Counter
    /// How long `POST /v1/events` waited for the broker's acknowledgement, timed-out waits included.
    let eventsAckWait: DurationHistogram
    /// Events the broker reported as not delivered (answered 503; the retry publishes them).
    let eventsDeliveryFailed: Counter
    /// Page views recorded by `/v1/recommend` that never reached the log (best effort: nobody retries them).
    let pageViewsUnpublished: Counter
    /// By endpoint (see `AdmissionEndpoints`).
    package let requestsShed: [String: Counter]
    let enrichment: [EnrichedEvent.Status: Counter]
    let sessionStoreFailures: Counter
    package let kafkaQueueDepth: Gauge
    package let kafkaDelivered: Gauge
    package let kafkaDeliveryFailed: Gauge
    let recommendations: Counter
    let recommendDegraded: [DegradedReason: Counter]
    package let feedbackReceived: [FeedbackType: Counter]
    package let feedbackDropped: Counter
    let modelVersion: Gauge
    let modelItems: Gauge
    /// Events published but not stored: their session already held sessions.maxEventsPerSession.
    let eventsSessionFull: Counter
    /// Bounded-state gauges: cumulative since the process started.
    let modelSessions: Gauge
    let modelSessionsEvictedIdle: Gauge
    let modelSessionsEvictedOverCapacity: Gauge
    let modelEventsOutsideCatalog: Gauge
    let modelEventsOverItemCapacity: Gauge
    /// Profile change notifications heard, each evicting one user from this replica's cache.
    package let profileChangeNotifications: Counter
    /// Connections of the profile change listener: the first, then every reconnect.
    package let profileListenerConnects: Counter
    /// Failed connects and lost connections of the profile change listener.
    package let profileListenerFailures: Counter

    public init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        func counter(_ name: String, _ help: String, _ labels: [(String, String)] = []) -> Counter {
            registry.makeCounter(
                descriptor: MetricNameDescriptor(namespace: "sessionrank", metricName: name, unitName: "total", helpText: help),
                labels: labels)
        }
        func gauge(_ name: String, _ help: String) -> Gauge {
            registry.makeGauge(descriptor: MetricNameDescriptor(namespace: "sessionrank", metricName: name, unitName: "", helpText: help))
        }
        eventsAccepted = Dictionary(uniqueKeysWithValues: StorefrontEventType.allCases.map {
            ($0, counter("events_accepted", "Events accepted, by type.", [("type", $0.rawValue)]))
        })
        eventsRejected = counter("events_rejected", "Events refused for bad input.")
        eventsDuplicate = counter("events_duplicate", "Events whose eventId was seen before; state changed once.")
        eventsUnpersonalized = counter("events_unpersonalized", "Events of sessions without consent: counted, published pseudonymised, not stored.")
        eventsShed = counter("events_shed", "Events answered 503 because the Kafka queue was full.")
        eventsAckTimedOut = counter(
            "events_ack_timed_out", "Events answered 503 because the broker did not acknowledge them within events.ackTimeoutMilliseconds.")
        eventsAckWait = registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(
                namespace: "sessionrank", metricName: "events_ack_wait", unitName: "seconds",
                helpText: "Time POST /v1/events waited for the broker to acknowledge its events (timed-out waits included)."),
            buckets: [1, 2, 5, 10, 20, 50, 100, 250, 500, 1_000, 2_000, 5_000].map { Duration.milliseconds($0) })
        eventsDeliveryFailed = counter("events_delivery_failed", "Events answered 503 because the broker reported them as not delivered.")
        pageViewsUnpublished = counter(
            "page_views_unpublished", "Page views recorded by /v1/recommend that could not be handed to Kafka or were not delivered.")
        eventsRepublished = counter(
            "events_republished", "Retried events that an earlier attempt applied to the session but could not publish; published now.")
        requestsShed = Dictionary(uniqueKeysWithValues: AdmissionEndpoints.all.map {
            ($0, counter("requests_shed", "Requests answered 503 at once because their endpoint had too many in flight.", [("endpoint", $0)]))
        })
        enrichment = Dictionary(uniqueKeysWithValues: [EnrichedEvent.Status.complete, .notNeeded, .timedOut, .failed].map {
            ($0, counter("events_enrichment", "Events by enrichment outcome.", [("status", $0.rawValue)]))
        })
        sessionStoreFailures = counter("session_store_failures", "Session updates or reads that failed (Redis down or slow).")
        kafkaQueueDepth = gauge("kafka_queue_depth", "Messages waiting in the local producer queues (both producers).")
        kafkaDelivered = gauge("kafka_delivered_messages", "Messages the broker acknowledged since start.")
        kafkaDeliveryFailed = gauge("kafka_delivery_failed_messages", "Messages whose delivery failed since start.")
        recommendations = counter("recommendations", "Answered /v1/recommend calls.")
        recommendDegraded = Dictionary(uniqueKeysWithValues: DegradedReason.allCases.map {
            ($0, counter("recommendations_degraded", "Recommendations answered with a fallback, by reason.", [("reason", $0.rawValue)]))
        })
        feedbackReceived = Dictionary(uniqueKeysWithValues: FeedbackType.allCases.map {
            ($0, counter("feedback_received", "Feedback on recommendations, by type.", [("type", $0.rawValue)]))
        })
        feedbackDropped = counter("feedback_dropped", "Served or feedback records not published (local Kafka queue full).")
        modelVersion = gauge("model_version", "Version of the live model; grows with every applied change.")
        modelItems = gauge("model_items", "Items the live model knows.")
        eventsSessionFull = counter("events_session_full", "Events published but not remembered by their session, which held sessions.maxEventsPerSession events.")
        modelSessions = gauge("model_sessions", "Sessions in the live model's kNN index (at most ModelParameters.maxLiveSessions).")
        modelSessionsEvictedIdle = gauge("model_sessions_evicted_idle", "Sessions that left the kNN index idle past the window, since start.")
        modelSessionsEvictedOverCapacity = gauge(
            "model_sessions_evicted_over_capacity", "Sessions that left the kNN index because it held maxLiveSessions, since start.")
        modelEventsOutsideCatalog = gauge("model_events_outside_catalog", "Logged events of items not in the catalogue, not learned, since start.")
        modelEventsOverItemCapacity = gauge(
            "model_events_over_item_capacity", "Events of new items not learned because the model held maxItems items, since start.")
        profileChangeNotifications = counter(
            "profile_change_notifications", "Consent changes and erasures announced by any replica; each evicts one cached profile.")
        profileListenerConnects = counter(
            "profile_listener_connects", "Connections of the profile change listener (first and reconnects); each clears the profile cache.")
        profileListenerFailures = counter("profile_listener_failures", "Failed connects or lost connections of the profile change listener.")
    }

    /// Records of `topic` in the log that this replica's model has not applied yet (model updater).
    func modelLagRecords(topic: String) -> Gauge {
        registry.makeGauge(
            descriptor: MetricNameDescriptor(
                namespace: "sessionrank", metricName: "model_lag_records", unitName: "",
                helpText: "Records the live model has not applied yet: high watermark minus next offset, summed over the topic's partitions."),
            labels: [("topic", topic)])
    }

    /// Age of the newest record the model applied; created with the first applied record.
    var modelNewestAppliedAge: Gauge {
        registry.makeGauge(descriptor: MetricNameDescriptor(
            namespace: "sessionrank", metricName: "model_newest_applied_record_age", unitName: "seconds",
            helpText: "Now minus the Kafka timestamp of the newest record the live model applied (also grows while the log is idle)."))
    }

    /// Candidates withheld by a compliance or business rule, by rule id.
    /// Rule names come from the compliance and ranking configuration, so the counters are made
    /// on first use and kept: asking the registry costs a lock and a label match every time.
    private let exclusionCounters = Mutex<[String: Counter]>([:])

    func ruleExclusions(_ rule: String) -> Counter {
        if let known = exclusionCounters.withLock({ $0[rule] }) { return known }
        let counter = registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "sessionrank", metricName: "recommend_exclusions", unitName: "total",
                helpText: "Candidates removed before answering, by the rule that removed them."),
            labels: [("rule", rule)])
        exclusionCounters.withLock { $0[rule] = counter }
        return counter
    }
}

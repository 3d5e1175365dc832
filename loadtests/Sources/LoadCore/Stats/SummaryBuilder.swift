import Histogram

/// Turns recorded histograms into the numbers of the summary.
public enum SummaryBuilder {
    static func millis(_ micros: UInt64) -> Double { Double(micros) / 1000 }

    public static func latency(of histogram: Histogram<UInt64>) -> LatencySummary {
        guard histogram.totalCount > 0 else { return LatencySummary(p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0) }
        return LatencySummary(
            p50: millis(histogram.valueAtPercentile(50)),
            p90: millis(histogram.valueAtPercentile(90)),
            p99: millis(histogram.valueAtPercentile(99)),
            p999: millis(histogram.valueAtPercentile(99.9)),
            max: millis(histogram.max),
            mean: histogram.mean / 1000
        )
    }

    /// The percentile curve at the levels the HdrHistogram plotter uses, up to the maximum.
    public static func percentileCurve(of histogram: Histogram<UInt64>) -> [PercentilePoint] {
        guard histogram.totalCount > 0 else { return [] }
        var points: [PercentilePoint] = []
        for level in [0.0, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.999] {
            points.append(PercentilePoint(percentile: level, valueMs: millis(histogram.valueAtPercentile(level))))
        }
        points.append(PercentilePoint(percentile: 100, valueMs: millis(histogram.max)))
        return points
    }

    public static func endpoint(name: String, recorder: EndpointRecorder, durationSeconds: Double) -> EndpointSummary {
        let seconds = max(durationSeconds, 1e-9)
        let timeline = recorder.seconds.enumerated().map { index, bucket in
            let hasLatency = bucket.latency.totalCount > 0
            return TimelinePoint(
                second: index,
                intended: bucket.intended,
                completed: bucket.completed,
                errors: bucket.errors,
                p50Ms: hasLatency ? millis(bucket.latency.valueAtPercentile(50)) : 0,
                p99Ms: hasLatency ? millis(bucket.latency.valueAtPercentile(99)) : 0,
                maxMs: hasLatency ? millis(bucket.latency.max) : 0
            )
        }
        var summary = EndpointSummary(
            name: name,
            scheduled: recorder.scheduled,
            succeeded: recorder.succeeded,
            timeouts: recorder.timeouts,
            errors: recorder.errors,
            targetRate: Double(recorder.scheduled) / seconds,
            achievedRate: Double(recorder.succeeded) / seconds,
            latencyMs: latency(of: recorder.latency),
            lateSends: recorder.lateSends,
            latenessP99Ms: recorder.lateness.totalCount > 0 ? millis(recorder.lateness.valueAtPercentile(99)) : 0,
            latenessMaxMs: recorder.lateness.totalCount > 0 ? millis(recorder.lateness.max) : 0,
            percentiles: percentileCurve(of: recorder.latency),
            timeline: Array(timeline.prefix(Int(durationSeconds.rounded(.up))))
        )
        if recorder.refusalLatency.totalCount > 0 {
            summary.refusalLatencyMs = latency(of: recorder.refusalLatency)
        }
        if recorder.eventsAccepted > 0 {
            summary.eventsAccepted = recorder.eventsAccepted
            summary.eventsPerSecond = Double(recorder.eventsAccepted) / seconds
        }
        return summary
    }

    /// Endpoint summaries sorted by name, plus the overall one.
    public static func endpoints(of recorder: RunRecorder, durationSeconds: Double) -> (endpoints: [EndpointSummary], overall: EndpointSummary) {
        let list = recorder.endpoints.keys.sorted().map {
            endpoint(name: $0, recorder: recorder.endpoints[$0]!, durationSeconds: durationSeconds)
        }
        return (list, endpoint(name: "overall", recorder: recorder.overall, durationSeconds: durationSeconds))
    }
}

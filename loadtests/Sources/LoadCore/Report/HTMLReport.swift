import Foundation

/// One self-contained HTML page from a run summary: tables, then SVG charts.
public enum HTMLReport {
    /// Percentile levels on the "1 / (1 - p)" axis, as the HdrHistogram plotter draws them.
    static func percentileAxis(_ percentile: Double) -> Double {
        log10(1 / max(1 - percentile / 100, 1e-6))
    }

    public static func render(_ summary: RunSummary) -> String {
        var html = """
        <!doctype html><html><head><meta charset="utf-8"><title>SessionRank load test: \(esc(summary.scenario))</title>
        <style>body{font-family:sans-serif;margin:24px;max-width:1100px}table{border-collapse:collapse;margin:8px 0 20px}
        td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f4f4f4}td:first-child{text-align:left}
        .pass{color:#1a7f37;font-weight:bold}.fail{color:#cf222e;font-weight:bold}.note{color:#555}</style></head><body>
        <h1>Load test: \(esc(summary.scenario))</h1>
        <p>Target \(esc(summary.target)) · started \(esc(summary.startedAt)) · \(Format.number(summary.durationSeconds, digits: 0)) s measured after \(Format.number(summary.warmupSeconds, digits: 0)) s warm-up ·
        \(summary.harness.clientThreads) client thread(s), up to \(summary.harness.maxConnections) connections each (\(summary.harness.connectionsOpened) opened), \(esc(summary.harness.arrival)) arrivals.</p>
        <p>Result: \(summary.sloPassed ? "<span class=pass>PASS</span>" : "<span class=fail>FAIL</span>")</p>
        <p class=note>Latency is measured from each request's intended send time (open model, no coordinated omission), in milliseconds.</p>

        """
        html += endpointTable(summary)
        html += sloTable(summary.slo)
        if let correctness = summary.correctness { html += correctnessSection(correctness) }
        if let capacity = summary.capacity { html += capacitySection(capacity) }
        html += charts(summary)
        return html + "</body></html>\n"
    }

    static func endpointTable(_ s: RunSummary) -> String {
        var rows = "<h2>Endpoints</h2><table><tr><th>endpoint</th><th>target/s</th><th>achieved/s</th><th>ok</th><th>errors</th><th>timeouts</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th><th>sent late</th><th>lateness p99</th><th>events accepted/s</th></tr>"
        for e in s.endpoints + [s.overall] {
            let errors = e.errors.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
            rows += "<tr><td>\(esc(e.name))</td><td>\(Format.number(e.targetRate, digits: 1))</td><td>\(Format.number(e.achievedRate, digits: 1))</td><td>\(e.succeeded)</td>"
            rows += "<td>\(e.errors.isEmpty ? "0" : esc(errors))</td><td>\(e.timeouts)</td>"
            let l = e.latencyMs
            rows += [l.p50, l.p90, l.p99, l.p999, l.max].map { "<td>\(Format.number($0))</td>" }.joined()
            rows += "<td>\(e.lateSends)</td><td>\(Format.number(e.latenessP99Ms))</td>"
            rows += "<td>\(e.eventsPerSecond.map { Format.number($0, digits: 1) } ?? "")</td></tr>"
        }
        return rows + "</table>\n"
    }

    static func sloTable(_ results: [SLOResult]) -> String {
        guard !results.isEmpty else { return "<p class=note>No SLO in this scenario.</p>" }
        var rows = "<h2>Service level objectives</h2><table><tr><th>endpoint</th><th>objective</th><th>limit</th><th>measured</th><th>result</th></tr>"
        for r in results {
            rows += "<tr><td>\(esc(r.endpoint))</td><td>\(esc(r.objective))</td><td>\(Format.number(r.limit))</td><td>\(Format.number(r.measured))</td>"
            rows += "<td>\(r.passed ? "<span class=pass>pass</span>" : "<span class=fail>MISSED</span>")</td></tr>"
        }
        return rows + "</table>\n"
    }

    static func correctnessSection(_ c: CorrectnessSummary) -> String {
        if let reason = c.skippedReason { return "<h2>Correctness under load</h2><p class=note>Skipped: \(esc(reason))</p>\n" }
        var html = "<h2>Correctness under load</h2><table>"
        html += "<tr><td>category-shift probes (passed / failed / inconclusive)</td><td>\(c.shiftPassed) / \(c.shiftFailed) / \(c.shiftInconclusive)</td></tr>"
        html += "<tr><td>shift pass rate (required)</td><td>\(c.shiftPassRate.map(Format.percent) ?? "n/a") (\(Format.percent(c.minShiftPassRate)))</td></tr>"
        html += "<tr><td>test-user responses checked for compliance</td><td>\(c.complianceResponsesChecked)</td></tr>"
        html += "<tr><td>compliance violations</td><td class=\(c.complianceViolations == 0 ? "pass" : "fail")>\(c.complianceViolations)</td></tr>"
        html += "<tr><td>recommended items missing from the catalog</td><td>\(c.unknownItems)</td></tr>"
        html += "<tr><td>degraded responses</td><td>\(c.degradedResponses)</td></tr></table>"
        if !c.violationExamples.isEmpty {
            html += "<ul>" + c.violationExamples.map { "<li>\(esc($0))</li>" }.joined() + "</ul>"
        }
        return html + "\n"
    }

    static func capacitySection(_ c: CapacitySummary) -> String {
        var html = "<h2>Capacity</h2><p>SLO per trial: p99 ≤ \(c.slo.p99Ms.map { Format.number($0) } ?? "–") ms, error rate ≤ \(c.slo.maxErrorRate.map(Format.percent) ?? "–").</p>"
        html += "<table><tr><th>endpoint</th><th>highest passing rate/s</th><th>share of /health/live</th><th>required</th><th>result</th></tr>"
        for s in [c.ceiling] + c.searches {
            html += "<tr><td>\(esc(s.endpoint))</td><td>\(s.bestRate.map { Format.number($0, digits: 0) } ?? "none")</td>"
            html += "<td>\(s.ratioToCeiling.map(Format.percent) ?? (s.endpoint == c.ceiling.endpoint ? "ceiling" : "n/a"))</td>"
            html += "<td>\(s.requiredRatio.map(Format.percent) ?? "–")</td><td>\(s.passed ? "<span class=pass>pass</span>" : "<span class=fail>FAIL</span>")</td></tr>"
        }
        html += "</table>"
        var series: [SVGLineChart.Series] = []
        for (index, s) in ([c.ceiling] + c.searches).enumerated() {
            let points = s.trials.sorted { $0.rate < $1.rate }.map { (x: $0.rate, y: $0.p99Ms) }
            series.append(.init(name: s.endpoint + " p99", points: points, color: SVGLineChart.colors[index % SVGLineChart.colors.count]))
        }
        html += SVGLineChart(title: "p99 by offered rate (capacity trials)", xLabel: "offered rate (requests/s)", yLabel: "p99 (ms)", series: series).render()
        return html + "\n"
    }

    static func charts(_ s: RunSummary) -> String {
        var html = "<h2>Charts</h2>"
        let endpoints = s.endpoints.filter { $0.succeeded > 0 }
        let percentileTicks: [(value: Double, label: String)] = [(0, "0%"), (1, "90%"), (2, "99%"), (3, "99.9%"), (4, "99.99%"), (5, "99.999%")]
        let curves = endpoints.enumerated().map { index, e in
            SVGLineChart.Series(
                name: e.name,
                points: e.percentiles.map { (x: percentileAxis($0.percentile), y: $0.valueMs) },
                color: SVGLineChart.colors[index % SVGLineChart.colors.count])
        }
        html += SVGLineChart(title: "Latency by percentile", xLabel: "percentile", yLabel: "latency (ms)", series: curves, xTicks: percentileTicks).render()
        for e in endpoints {
            let over = [
                SVGLineChart.Series(name: "p50", points: e.timeline.map { (Double($0.second), $0.p50Ms) }, color: SVGLineChart.colors[0]),
                SVGLineChart.Series(name: "p99", points: e.timeline.map { (Double($0.second), $0.p99Ms) }, color: SVGLineChart.colors[1]),
                SVGLineChart.Series(name: "max", points: e.timeline.map { (Double($0.second), $0.maxMs) }, color: SVGLineChart.colors[4]),
            ]
            html += "<br>" + SVGLineChart(title: "\(e.name): latency over time", xLabel: "second of the measured window", yLabel: "latency (ms)", series: over).render()
        }
        let o = s.overall
        let throughput = [
            SVGLineChart.Series(name: "target (intended)", points: o.timeline.map { (Double($0.second), Double($0.intended)) }, color: SVGLineChart.colors[0]),
            SVGLineChart.Series(name: "achieved (ok)", points: o.timeline.map { (Double($0.second), Double($0.completed)) }, color: SVGLineChart.colors[2]),
            SVGLineChart.Series(name: "errors", points: o.timeline.map { (Double($0.second), Double($0.errors)) }, color: SVGLineChart.colors[1]),
        ]
        html += "<br>" + SVGLineChart(title: "Throughput over time (all endpoints)", xLabel: "second of the measured window", yLabel: "requests per second", series: throughput).render()
        return html + "\n"
    }

    static func esc(_ text: String) -> String { SVGLineChart.escape(text) }
}

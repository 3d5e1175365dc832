import Foundation
import LoadCore

/// Writes a run's files: `summary.json`, one `.hgrm` per endpoint, `report.html`.
enum ResultWriter {
    static func write(_ summary: RunSummary, recorder: RunRecorder?, to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(summary).write(to: URL(fileURLWithPath: directory + "/summary.json"))
        if let recorder {
            for (name, endpoint) in recorder.endpoints where endpoint.latency.totalCount > 0 {
                try HgrmWriter.text(of: endpoint.latency).write(toFile: directory + "/\(name).hgrm", atomically: true, encoding: .utf8)
            }
            let overall = recorder.overall
            if overall.latency.totalCount > 0 {
                try HgrmWriter.text(of: overall.latency).write(toFile: directory + "/overall.hgrm", atomically: true, encoding: .utf8)
            }
        }
        try HTMLReport.render(summary).write(toFile: directory + "/report.html", atomically: true, encoding: .utf8)
    }

    static func readSummary(_ path: String) throws -> RunSummary {
        try JSONDecoder().decode(RunSummary.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }
}

/// The short text version of a summary for the terminal.
enum TextSummary {
    static func render(_ s: RunSummary) -> String {
        var lines = ["endpoint      target/s  achieved/s       ok  errors  timeouts     p50     p90     p99   p99.9     max  late"]
        for e in s.endpoints + [s.overall] {
            let l = e.latencyMs
            let cells = [
                e.name.padding(toLength: 12, withPad: " ", startingAt: 0),
                col(Format.number(e.targetRate, digits: 1), 10), col(Format.number(e.achievedRate, digits: 1), 11),
                col(String(e.succeeded), 8), col(String(e.failed - e.timeouts), 7), col(String(e.timeouts), 9),
                col(Format.number(l.p50), 7), col(Format.number(l.p90), 7), col(Format.number(l.p99), 7),
                col(Format.number(l.p999), 7), col(Format.number(l.max), 7), col(String(e.lateSends), 5),
            ]
            lines.append(cells.joined(separator: " "))
            if !e.errors.isEmpty {
                lines.append("    errors: " + e.errors.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
            }
            if let r = e.refusalLatencyMs {
                lines.append("    refusals (503/429): p50 \(Format.number(r.p50)) p90 \(Format.number(r.p90)) p99 \(Format.number(r.p99)) max \(Format.number(r.max)) ms")
            }
            if e.name != "overall", let accepted = e.eventsAccepted, let perSecond = e.eventsPerSecond {
                lines.append("    events accepted: \(accepted) = \(Format.number(perSecond, digits: 1))/s")
            }
        }
        lines.append("(latency in ms from the intended send time; 'late' = sent more than the late threshold after it)")
        if let c = s.correctness {
            if let reason = c.skippedReason {
                lines.append("correctness: skipped (\(reason))")
            } else {
                lines.append("correctness: category shift \(c.shiftPassed) passed / \(c.shiftFailed) failed / \(c.shiftInconclusive) inconclusive; compliance \(c.complianceViolations) violations in \(c.complianceResponsesChecked) test-user answers")
                for example in c.violationExamples.prefix(5) { lines.append("    violation: \(example)") }
            }
        }
        for r in s.slo {
            let bound = r.objective == "achievedRatio" ? "≥" : "≤"
            lines.append("SLO \(r.endpoint) \(r.objective) \(bound) \(Format.number(r.limit)): measured \(Format.number(r.measured)) → \(r.passed ? "pass" : "MISSED")")
        }
        if let capacity = s.capacity {
            for search in [capacity.ceiling] + capacity.searches {
                let ratio = search.ratioToCeiling.map { " = \(Format.percent($0)) of /health/live" } ?? ""
                let required = search.requiredRatio.map { " (required \(Format.percent($0)))" } ?? ""
                lines.append("capacity \(search.endpoint): \(search.bestRate.map { Format.number($0, digits: 0) } ?? "none")/s\(ratio)\(required)")
            }
        }
        lines.append("result: \(s.sloPassed ? "PASS" : "FAIL")")
        return lines.joined(separator: "\n")
    }

    private static func col(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }
}

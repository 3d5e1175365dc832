import Foundation
import Yams

/// Reads a scenario from JSON or YAML and checks it, naming the field at fault.
public enum ScenarioLoader {
    public static func load(path: String) throws -> Scenario {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ScenarioError(field: "scenario", message: "cannot read \(path): \(error.localizedDescription)")
        }
        return try decode(data, yaml: path.hasSuffix(".yaml") || path.hasSuffix(".yml"))
    }

    public static func decode(_ data: Data, yaml: Bool) throws -> Scenario {
        let scenario: Scenario
        do {
            if yaml {
                scenario = try YAMLDecoder().decode(Scenario.self, from: data)
            } else {
                scenario = try JSONDecoder().decode(Scenario.self, from: data)
            }
        } catch let error as DecodingError {
            throw ScenarioError(field: path(of: error), message: message(of: error))
        }
        try validate(scenario)
        return scenario
    }

    public static func validate(_ s: Scenario) throws {
        func require(_ ok: Bool, _ field: String, _ message: String) throws {
            if !ok { throw ScenarioError(field: field, message: message) }
        }
        _ = try LoopbackTarget(url: s.target)
        try require(s.durationSeconds > 0 && s.durationSeconds <= 3600, "durationSeconds", "must be in (0, 3600]")
        try require(s.warmupSeconds >= 0 && s.warmupSeconds <= 600, "warmupSeconds", "must be in [0, 600]")
        try require(s.drainSeconds >= 0 && s.drainSeconds <= 120, "drainSeconds", "must be in [0, 120]")
        try require(s.requestTimeoutMs > 0, "requestTimeoutMs", "must be > 0")
        try require(s.maxConnections >= 1 && s.maxConnections <= 10_000, "maxConnections", "must be in [1, 10000]")
        try require(s.clientThreads >= 1 && s.clientThreads <= 64, "clientThreads", "must be in [1, 64]")
        try require(!s.workloads.isEmpty, "workloads", "at least one workload is needed")
        try require(s.items.itemCount >= 1, "items.itemCount", "must be >= 1")
        for (index, workload) in s.workloads.enumerated() {
            let field = "workloads[\(index)]"
            try workload.rate.validate(field: field + ".rate")
            try require((1...500).contains(workload.batchSize), field + ".batchSize", "must be in [1, 500]")
            try require((1...1000).contains(workload.limit), field + ".limit", "must be in [1, 1000]")
            try require(["GET", "POST"].contains(workload.recommendMethod), field + ".recommendMethod", "must be GET or POST")
            let session = workload.session
            try require(session.minPageViews >= 1 && session.maxPageViews >= session.minPageViews, field + ".session", "need 1 <= minPageViews <= maxPageViews")
            try require(session.source != .replay || session.replayFile != nil, field + ".session.replayFile", "is required when source is replay")
            try require((0...1).contains(session.clickProbability), field + ".session.clickProbability", "must be in [0, 1]")
            try require((0...1).contains(session.addToCartProbability), field + ".session.addToCartProbability", "must be in [0, 1]")
            if let path = workload.path { try require(path.hasPrefix("/"), field + ".path", "must start with /") }
        }
        if let capacity = s.capacity {
            try require(capacity.startRate > 0 && capacity.maxRate >= capacity.startRate, "capacity", "need 0 < startRate <= maxRate")
            try require(capacity.trialSeconds > 0 && capacity.maxTrials > 0, "capacity", "need trialSeconds > 0 and maxTrials > 0")
            try require(capacity.settleSeconds >= 0 && capacity.settleSeconds <= 600, "capacity.settleSeconds", "must be between 0 and 600 seconds")
            try require((0...3).contains(capacity.failureRepeats), "capacity.failureRepeats", "must be a whole number from 0 to 3")
        }
    }

    private static func path(of error: DecodingError) -> String {
        let context: DecodingError.Context
        switch error {
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c): context = c
        case .keyNotFound(let key, let c):
            return (c.codingPath + [key]).map(\.stringValue).joined(separator: ".")
        @unknown default: return "scenario"
        }
        let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        return path.isEmpty ? "scenario" : path
    }

    private static func message(of error: DecodingError) -> String {
        switch error {
        case .keyNotFound: return "is required"
        case .typeMismatch(let type, _): return "expected \(type)"
        case .valueNotFound(let type, _): return "expected a \(type) value"
        case .dataCorrupted(let c): return c.debugDescription
        @unknown default: return "\(error)"
        }
    }
}

import LoadCore

/// Finds, per endpoint, the highest constant rate that meets the capacity SLO, and does the
/// same for `/health/live` in the same run: that ceiling is what this machine and this
/// harness can do at all, so endpoint rates are reported as a share of it.
public enum CapacityRunner {
    public static func run(
        scenario: Scenario, catalog: Catalog?, environment: [String: String], progress: @Sendable (String) -> Void
    ) async throws -> CapacitySummary {
        let settings = scenario.capacity ?? CapacitySettings()
        let ceiling = try await search(kind: .health, scenario: scenario, settings: settings, catalog: catalog, environment: environment, progress: progress)
        var searches: [CapacitySummary.Search] = []
        for kind in settings.endpoints where kind != .health {
            searches.append(try await search(kind: kind, scenario: scenario, settings: settings, catalog: catalog, environment: environment, progress: progress))
        }
        return CapacitySummary(slo: settings.slo, ceiling: ceiling, searches: searches, minRatio: settings.minRatio)
    }

    /// The endpoint label a workload kind is reported under.
    static func endpointName(_ kind: Workload.Kind) -> String {
        kind == .storefront ? "recommend" : kind.rawValue
    }

    static func search(
        kind: Workload.Kind, scenario: Scenario, settings: CapacitySettings, catalog: Catalog?,
        environment: [String: String], progress: @Sendable (String) -> Void
    ) async throws -> CapacitySummary.Search {
        var search = CapacitySearch(
            startRate: settings.startRate, maxRate: settings.maxRate, growthFactor: settings.growthFactor,
            precision: settings.precision, maxTrials: settings.maxTrials, failureRepeats: settings.failureRepeats)
        var trials: [CapacitySummary.Trial] = []
        let name = endpointName(kind)
        while let rate = search.nextRate {
            if settings.settleSeconds > 0 { try await Task.sleep(for: .seconds(settings.settleSeconds)) }
            var trial = scenario
            // Reuse the scenario's settings for this kind (placement, batch size...), at a constant rate.
            var workload = scenario.workloads.first { $0.kind == kind } ?? Workload(kind: kind, rate: .constant(rate))
            workload.rate = .constant(rate)
            trial.workloads = [workload]
            trial.warmupSeconds = settings.trialWarmupSeconds
            trial.durationSeconds = settings.trialSeconds
            var objective = settings.slo
            objective.endpoint = name
            trial.slo = [objective]
            let output = try await LoadRunner.run(scenario: trial, catalog: catalog, environment: environment)
            let passed = output.summary.slo.allSatisfy(\.passed)
            let measured = output.summary.endpoint(name)
            trials.append(CapacitySummary.Trial(
                rate: rate, achievedRate: measured?.achievedRate ?? 0, p50Ms: measured?.latencyMs.p50 ?? 0,
                p99Ms: measured?.latencyMs.p99 ?? 0, errorRate: measured?.errorRate ?? 1, passed: passed))
            progress("capacity \(name): \(Format.number(rate, digits: 0))/s → p99 \(Format.number(measured?.latencyMs.p99 ?? 0)) ms, errors \(Format.percent(measured?.errorRate ?? 1)): \(passed ? "pass" : "fail")")
            search.record(rate: rate, passed: passed)
        }
        return CapacitySummary.Search(endpoint: name, bestRate: search.bestPassing, trials: trials)
    }
}

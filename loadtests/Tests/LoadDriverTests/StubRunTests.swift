import Testing
import LoadCore
import LoadDriver
import LoadStub

/// Runs the real driver against the in-process stub: short, bounded, loopback only.
@Suite(.serialized) struct StubRunTests {
    func scenario(port: Int, workloads: [Workload]) -> Scenario {
        var s = Scenario(name: "test", target: "http://127.0.0.1:\(port)", workloads: workloads)
        s.warmupSeconds = 0.5
        s.durationSeconds = 2
        s.drainSeconds = 2
        return s
    }

    @Test func recommendAndEventsComplete() async throws {
        let server = try await StubServer.start()
        var s = scenario(port: server.port, workloads: [
            Workload(kind: .recommend, rate: .constant(200)), Workload(kind: .events, rate: .constant(100)),
        ])
        s.slo = [ServiceLevelObjective(endpoint: "recommend", maxErrorRate: 0)]
        let output = try await LoadRunner.run(scenario: s, catalog: nil, environment: [:])
        try await server.shutdown()
        let recommend = try #require(output.summary.endpoint("recommend"))
        #expect(recommend.scheduled == 400)
        #expect(recommend.succeeded == 400)
        #expect(output.summary.endpoint("events")?.succeeded == 200)
        #expect(output.summary.sloPassed)
        #expect(output.summary.correctness?.skippedReason != nil)
    }

    @Test func batchesOfFiftyCountEveryAcceptedEvent() async throws {
        let server = try await StubServer.start()
        var batch = Workload(kind: .events, rate: .constant(20))
        batch.batchSize = 50
        let output = try await LoadRunner.run(scenario: scenario(port: server.port, workloads: [batch]), catalog: nil, environment: [:])
        try await server.shutdown()
        let events = try #require(output.summary.endpoint("events"))
        #expect(events.scheduled == 40)
        #expect(events.succeeded == 40)
        #expect(events.errors.isEmpty)
        #expect(events.refusalLatencyMs == nil, "no refusals, no refusal latency")
        #expect(events.eventsAccepted == 2_000)
        #expect(events.eventsPerSecond == 1_000)
    }

    @Test func delayIsMeasuredFromTheIntendedTime() async throws {
        var options = StubOptions()
        options.delayMicros = 20_000
        let server = try await StubServer.start(options: options)
        let output = try await LoadRunner.run(
            scenario: scenario(port: server.port, workloads: [Workload(kind: .recommend, rate: .constant(50))]), catalog: nil, environment: [:])
        try await server.shutdown()
        let recommend = try #require(output.summary.endpoint("recommend"))
        #expect(recommend.latencyMs.p50 >= 20)
        #expect(recommend.latencyMs.p50 < 40)
    }

    @Test func errorsAreCountedByKind() async throws {
        var options = StubOptions()
        options.errorRate = 0.1
        let server = try await StubServer.start(options: options)
        let output = try await LoadRunner.run(
            scenario: scenario(port: server.port, workloads: [Workload(kind: .events, rate: .constant(100))]), catalog: nil, environment: [:])
        try await server.shutdown()
        let events = try #require(output.summary.endpoint("events"))
        let errors = events.errors["http_503"] ?? 0
        #expect((18...22).contains(errors))
        #expect(events.succeeded + errors == events.scheduled)
        // The stub refuses at once, so the refusals' own latency is small and reported apart.
        let refusals = try #require(events.refusalLatencyMs)
        #expect(refusals.p50 < 50 && refusals.max >= refusals.p50)
    }

    @Test func refusedConnectionsAreErrorsNotHangs() async throws {
        let server = try await StubServer.start()
        let port = server.port
        try await server.shutdown()
        let output = try await LoadRunner.run(
            scenario: scenario(port: port, workloads: [Workload(kind: .health, rate: .constant(20))]), catalog: nil, environment: [:])
        let health = try #require(output.summary.endpoint("health"))
        #expect(health.succeeded == 0)
        #expect(health.failed == health.scheduled)
    }

    @Test func storefrontProbesAndComplianceChecks() async throws {
        let server = try await StubServer.start()
        var storefront = Workload(kind: .storefront, rate: .constant(20))
        storefront.session.thinkTimeMeanMs = 50
        storefront.session.thinkTimeMinMs = 10
        storefront.session.thinkTimeMaxMs = 100
        var s = scenario(port: server.port, workloads: [storefront])
        s.correctness.probeShare = 0.5
        s.correctness.testUserShare = 0.5
        let output = try await LoadRunner.run(scenario: s, catalog: Catalog(StubCatalog.items()), environment: [:])
        try await server.shutdown()
        let correctness = try #require(output.summary.correctness)
        #expect(correctness.skippedReason == nil)
        #expect(correctness.shiftPassed > 0)
        #expect(correctness.shiftFailed == 0)
        #expect(correctness.complianceResponsesChecked > 0)
        #expect(correctness.complianceViolations == 0)
        #expect(output.summary.endpoint("feedback") != nil)
    }

    @Test func ageRuleViolationsAreCaught() async throws {
        var options = StubOptions()
        options.violateAgeRule = true
        let server = try await StubServer.start(options: options)
        var s = scenario(port: server.port, workloads: [Workload(kind: .recommend, rate: .constant(100))])
        s.correctness.testUserShare = 1
        s.correctness.testUsers = [TestUser(userId: "demo-minor", age: 16, region: "DE")]
        let output = try await LoadRunner.run(scenario: s, catalog: Catalog(StubCatalog.items()), environment: [:])
        try await server.shutdown()
        #expect((output.summary.correctness?.complianceViolations ?? 0) > 0)
        #expect(!output.summary.sloPassed)
    }
}

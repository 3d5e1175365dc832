import Foundation
import TestSupport
import Testing

/// The real `sessionrank serve` executable as a child process on a free loopback port, against
/// the shared Redis and PostgreSQL and whatever Kafka the test names. For the tests that need a
/// real process: signals, exit codes, resident memory, real sockets.
struct ServiceProcess {
    let process: ChildProcess
    let port: Int

    /// The `sessionrank` built next to this test bundle (`swift build --build-tests` builds both).
    static func binary() throws -> String {
        let testBinary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let candidate = testBinary.deletingLastPathComponent().appendingPathComponent("sessionrank").path
        guard FileManager.default.isExecutableFile(atPath: candidate) else {
            throw ServerTestError("\(candidate) not found: build it with `swift build --build-tests` (make test does)")
        }
        return candidate
    }

    /// Starts the service with `settings` (SESSIONRANK_* variables) over the test defaults, and
    /// waits until `/health/live` answers.
    static func start(_ settings: [String: String], name: String) async throws -> ServiceProcess {
        let port = try await freeLoopbackPort()
        var environment = ProcessInfo.processInfo.environment
        let defaults: [String: String] = [
            "SESSIONRANK_HTTP_PORT": "\(port)",
            "SESSIONRANK_REDIS_URL": try IntegrationEnvironment.require("SESSIONRANK_REDIS_URL"),
            "SESSIONRANK_POSTGRES_URL": try IntegrationEnvironment.require("SESSIONRANK_POSTGRES_URL"),
            // Generous budgets: the child shares two cores with the test that drives it.
            "SESSIONRANK_REDIS_COMMAND_TIMEOUT_MILLISECONDS": "2000",
            "SESSIONRANK_ENRICHMENT_BUDGET_MILLISECONDS": "2000",
            "SESSIONRANK_RECOMMEND_BUDGET_MILLISECONDS": "2000",
            "SESSIONRANK_RECOMMEND_SESSION_TIMEOUT_MILLISECONDS": "500",
            "SESSIONRANK_RECOMMEND_PROFILE_TIMEOUT_MILLISECONDS": "500",
            "SESSIONRANK_RATE_LIMIT_REQUESTS_PER_SECOND": "0",
            "SESSIONRANK_MODEL_SNAPSHOT_DIRECTORY": TestServer.temporaryDirectory("\(name)-snapshots"),
            "SESSIONRANK_MODEL_LEARN_FROM_LOG": "false",
        ]
        environment.merge(defaults) { _, new in new }
        environment.merge(settings) { _, new in new }
        let logFile = TestServer.temporaryDirectory("\(name)") + ".log"
        try FileManager.default.createDirectory(
            atPath: URL(fileURLWithPath: logFile).deletingLastPathComponent().path, withIntermediateDirectories: true)
        let process = try ChildProcess(
            executable: try binary(), arguments: ["serve", "--config", "config/sessionrank.yaml"], environment: environment, logFile: logFile)
        let service = ServiceProcess(process: process, port: port)
        let deadline = ContinuousClock.now + .seconds(90)
        while ContinuousClock.now < deadline {
            if let status = process.exitStatus() {
                throw ServerTestError("sessionrank serve ended at start (\(status)):\n\(process.logTail())")
            }
            if let connection = await ProbeConnection.connect(port: port) {
                let outcome = await connection.send(ProbeRequest(path: "/health/live"), timeout: .seconds(5))
                await connection.close()
                if outcome.response?.status == 200 { return service }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ServerTestError("sessionrank serve did not answer /health/live within 90 s:\n\(process.logTail())")
    }

    /// One request on a fresh connection.
    func request(_ request: ProbeRequest) async -> ProbeOutcome {
        guard let connection = await ProbeConnection.connect(port: port) else { return .refused }
        let outcome = await connection.send(request)
        await connection.close()
        return outcome
    }
}

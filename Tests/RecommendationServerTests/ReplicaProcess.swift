import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A real `sessionrank serve` process on a free loopback port, for tests that need separate
/// processes (no shared memory). Built next to the test bundle by `swift build --build-tests`.
/// Output goes to `<directory>/service.log`. Stops on `stop()` (SIGTERM, then SIGKILL).
final class ReplicaProcess: @unchecked Sendable {
    // @unchecked: only the owning test touches it, one call at a time.
    let port: Int
    let directory: String
    private var pid: pid_t = 0

    /// The `sessionrank` executable built with the tests: `SESSIONRANK_BINARY`, else next to this test binary.
    static func executable() -> String {
        if let explicit = ProcessInfo.processInfo.environment["SESSIONRANK_BINARY"], !explicit.isEmpty { return explicit }
        return URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("sessionrank").path
    }

    /// The package root (config/ is read relative to it): three levels above this file.
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// Starts the service with the test's environment plus `settings` (SESSIONRANK_* variables).
    init(name: String, settings: [String: String]) async throws {
        let binary = Self.executable()
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw ServerProcessError("\(binary) not found: build it with `swift build --build-tests` (make test does)")
        }
        port = try await freeLoopbackPort()
        directory = TestServer.temporaryDirectory(name)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var environment = ProcessInfo.processInfo.environment
        environment["SESSIONRANK_HTTP_PORT"] = "\(port)"
        environment["SESSIONRANK_MODEL_SNAPSHOT_DIRECTORY"] = "\(directory)/snapshots"
        for (key, value) in settings { environment[key] = value }
        pid = try Self.spawn(binary, arguments: ["serve"], environment: environment, directory: Self.packageRoot, log: "\(directory)/service.log")
    }

    deinit {
        if pid > 0 { _ = kill(pid, SIGKILL); var status: Int32 = 0; _ = waitpid(pid, &status, 0) }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The process's output so far, for failure messages.
    var log: String { (try? String(contentsOfFile: "\(directory)/service.log", encoding: .utf8)) ?? "" }

    /// SIGTERM (graceful: drains and writes its last snapshot), SIGKILL after `grace`.
    func stop(grace: Duration = .seconds(15)) async {
        guard pid > 0 else { return }
        _ = kill(pid, SIGTERM)
        let deadline = ContinuousClock.now + grace
        var status: Int32 = 0
        while waitpid(pid, &status, WNOHANG) == 0 {
            if ContinuousClock.now > deadline {
                _ = kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                break
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        pid = 0
    }

    /// SIGKILL: the process dies at once, with no drain, flush or snapshot (a crash).
    func crash() {
        guard pid > 0 else { return }
        _ = kill(pid, SIGKILL)
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
        pid = 0
    }

    /// Waits until `/health/ready` answers 200 and the model updater is no longer replaying.
    func waitUntilReady(within limit: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                pid = 0
                throw ServerProcessError("sessionrank exited during start (status \(status)):\n\(log.suffix(4_000))")
            }
            if let ready = try? await get("/health/ready"), ready.status == .ok, ready.body.contains(#""replaying":false"#) { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw ServerProcessError("sessionrank on port \(port) not ready within \(limit):\n\(log.suffix(4_000))")
    }

    func get(_ uri: String) async throws -> (status: HTTPResponse.Status, body: String) {
        try await TestClient.withClient(host: "127.0.0.1", port: port, configuration: .init(timeout: .seconds(10))) { client in
            let response = try await client.get(uri)
            return (response.status, String(buffer: response.body ?? ByteBuffer()))
        }
    }

    /// posix_spawn with an empty signal mask (the test runner blocks signals, and a child
    /// inheriting that would never see SIGTERM), the output redirected, in `directory`.
    private static func spawn(_ binary: String, arguments: [String], environment: [String: String], directory: String, log: String) throws -> pid_t {
        // bash sets the working directory and the redirection, then becomes the service (exec).
        let quoted = ([binary] + arguments).map { "'\($0.replacingOccurrences(of: "'", with: "'\\''"))'" }.joined(separator: " ")
        let command = "cd '\(directory)' && exec \(quoted) > '\(log)' 2>&1"
        let argv = ["/bin/bash", "-c", command]
        let envp = environment.map { "\($0.key)=\($0.value)" }
        var cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        var cEnvironment: [UnsafeMutablePointer<CChar>?] = envp.map { strdup($0) } + [nil]
        defer {
            cArguments.forEach { free($0) }
            cEnvironment.forEach { free($0) }
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGTERM)
        sigaddset(&defaults, SIGINT)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let result = posix_spawn(&pid, "/bin/bash", nil, &attributes, &cArguments, &cEnvironment)
        guard result == 0 else { throw ServerProcessError("cannot start \(binary): error \(result)") }
        return pid
    }
}

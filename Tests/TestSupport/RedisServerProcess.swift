import Foundation
#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOPosix
import RedisClient

/// A throwaway `redis-server` owned by one test, for things that must not disturb the shared
/// server (pausing it, flushing scripts, killing it). Stops on `stop()` or when deallocated.
public final class RedisServerProcess: @unchecked Sendable {
    // @unchecked: `process` is only touched by the owning test, one call at a time.
    public let port: Int
    private let binary: String
    /// Appended to the command line, e.g. TLS or cluster settings.
    private let extraArguments: [String]
    private var process: Process?

    /// `redis-server` from `SESSIONRANK_REDIS_SERVER_BIN` or the PATH.
    public static func locateBinary() -> String? {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["SESSIONRANK_REDIS_SERVER_BIN"], !explicit.isEmpty { return explicit }
        for directory in (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(directory)/redis-server"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Starts a server on a free loopback port and waits until it accepts connections.
    public init(binary: String, extraArguments: [String] = []) async throws {
        self.binary = binary
        self.extraArguments = extraArguments
        self.port = try await freeLoopbackPort()
        try await start()
    }

    deinit {
        process.map(Self.kill)
    }

    public var configuration: RedisConfiguration {
        RedisConfiguration(host: "127.0.0.1", port: port)
    }

    /// (Re)starts the server on the same port, with no persistence, so a restart is empty.
    public func start() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "--port", "\(port)", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--daemonize", "no", "--loglevel", "warning",
        ] + extraArguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        try await waitUntilAccepting()
    }

    /// Kills the server and waits until the process has exited.
    public func stop() async throws {
        guard let process else { return }
        self.process = nil
        Self.kill(process)
        let deadline = ContinuousClock.now + .seconds(10)
        while process.isRunning {
            guard ContinuousClock.now < deadline else { throw ServerProcessError("redis-server on \(port) did not stop") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// SIGSTOP: the server keeps its connections but answers nothing, like a stalled host.
    public func pause() {
        #if canImport(Glibc)
        if let process { _ = Glibc.kill(process.processIdentifier, SIGSTOP) }
        #endif
    }

    public func resume() {
        #if canImport(Glibc)
        if let process { _ = Glibc.kill(process.processIdentifier, SIGCONT) }
        #endif
    }

    /// SIGKILL, because the test runner's blocked signal mask is inherited by the child, so it
    /// would never see SIGTERM. Nothing is lost: the server keeps no data on disk.
    private static func kill(_ process: Process) {
        #if canImport(Glibc)
        _ = Glibc.kill(process.processIdentifier, SIGKILL)
        #else
        process.terminate()
        #endif
    }

    private func waitUntilAccepting() async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if let channel = try? await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: port).get()
            {
                try? await channel.close()
                return
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw ServerProcessError("redis-server did not start listening on port \(port) within 10 s")
    }
}

/// Binds port 0 to let the kernel choose a free port, then releases it for redis-server.
public func freeLoopbackPort() async throws -> Int {
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .bind(host: "127.0.0.1", port: 0).get()
    let port = channel.localAddress?.port
    try await channel.close()
    guard let port else { throw ServerProcessError("could not find a free port") }
    return port
}

public struct ServerProcessError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

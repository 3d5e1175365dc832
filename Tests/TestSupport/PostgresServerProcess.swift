import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A throwaway PostgreSQL cluster owned by one test, for pausing (SIGSTOP) or stopping it without
/// disturbing the shared server. PostgreSQL refuses to run as root, so when the tests run as root
/// its commands run as the `postgres` system user, as scripts/stack.sh does.
public final class PostgresServerProcess: @unchecked Sendable {
    // @unchecked: only the owning test touches it, one call at a time.
    public let port: Int
    public let directory: String
    private let binaries: String

    /// `postgres://sessionrank@127.0.0.1:PORT/sessionrank`, empty until the caller migrates it.
    public var url: String { "postgres://sessionrank@127.0.0.1:\(port)/sessionrank" }

    /// Initialises and starts a cluster with user and database `sessionrank` (trust on loopback).
    public init(port: Int) throws {
        guard let binaries = Self.locateBinaries() else { throw ServerProcessError("PostgreSQL server binaries not found under /usr/lib/postgresql") }
        self.binaries = binaries
        self.port = port
        self.directory = FileManager.default.temporaryDirectory.appendingPathComponent("sessionrank-pg-\(port)-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try run("chown postgres:postgres \(directory) 2>/dev/null || true")
        try run(asPostgres("\(binaries)/initdb -D \(directory)/data -U sessionrank -A trust --no-sync -E UTF8 > \(directory)/initdb.log 2>&1"))
        try start()
        try run("\(binaries)/createdb -h 127.0.0.1 -p \(port) -U sessionrank sessionrank")
    }

    public func start() throws {
        try run(asPostgres(
            "\(binaries)/pg_ctl -D \(directory)/data -l \(directory)/server.log -w -t 30 start "
                + "-o '-p \(port) -k \(directory) -c listen_addresses=127.0.0.1 -c fsync=off' > /dev/null"))
    }

    public func stop() throws {
        try run(asPostgres("\(binaries)/pg_ctl -D \(directory)/data -m immediate -w stop > /dev/null 2>&1 || true"))
    }

    /// SIGSTOP to the postmaster and every backend: connections stay open, nothing answers.
    public func pause() throws { try signalAll("STOP") }

    public func resume() throws { try signalAll("CONT") }

    /// Stops the server and deletes its files.
    public func remove() {
        try? resume()
        try? stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    deinit { remove() }

    private func signalAll(_ signal: String) throws {
        let pidFile = "\(directory)/data/postmaster.pid"
        guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8), let pid = text.split(separator: "\n").first else {
            throw ServerProcessError("no postmaster.pid in \(directory)")
        }
        try run("kill -\(signal) \(pid); pkill -\(signal) -P \(pid) || true")
    }

    private func asPostgres(_ command: String) -> String {
        getuid() == 0 ? "runuser -u postgres -- bash -c \"\(command.replacingOccurrences(of: "\"", with: "\\\""))\"" : command
    }

    /// posix_spawn and waitpid directly: Foundation's Process.waitUntilExit can miss the exit of a
    /// child that forks a daemon (pg_ctl), leaving the test waiting for ever.
    private func run(_ command: String) throws {
        var pid: pid_t = 0
        let arguments = ["/bin/bash", "-c", command]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let spawned = posix_spawn(&pid, "/bin/bash", nil, nil, &argv, environ)
        guard spawned == 0 else { throw ServerProcessError("cannot run `\(command)`: error \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        // WIFEXITED && WEXITSTATUS == 0
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            throw ServerProcessError("`\(command)` failed with status \(status)")
        }
    }

    private static func locateBinaries() -> String? {
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return versions.compactMap(Int.init).sorted().last.map { "\(root)/\($0)/bin" }
    }
}

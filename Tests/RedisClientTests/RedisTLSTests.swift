import Foundation
import TestSupport
import Testing

@testable import RedisClient

/// TLS against the local Redis, which `scripts/stack.sh` starts with a second, TLS port and a
/// certificate (for localhost and 127.0.0.1) from a throwaway CA in `.local/tls`;
/// `scripts/test-data.sh` exports the port as `SESSIONRANK_REDIS_TLS_URL`.
@Suite("TLS", .enabled(if: RedisTLSEnvironment.enabled), .serialized)
struct RedisTLSTests {
    static func require(_ name: String) throws -> String { try RedisTLSEnvironment.require(name) }
    static func file(_ name: String) throws -> String { try RedisTLSEnvironment.file(name) }

    /// The TLS port's configuration with `tls` settings, optionally another host or URL prefix.
    static func configuration(
        _ tls: RedisTLSConfiguration, host: String? = nil, credentials: String = ""
    ) throws -> RedisConfiguration {
        var url = try require("SESSIONRANK_REDIS_TLS_URL")
        if !credentials.isEmpty { url = url.replacingOccurrences(of: "rediss://", with: "rediss://\(credentials)@") }
        var configuration = try RedisConfiguration(url: url)
        #expect(configuration.tls == RedisTLSConfiguration(), "rediss:// turns TLS on with full verification")
        configuration.tls = tls
        if let host { configuration.host = host }
        configuration.connectTimeout = .seconds(2)
        configuration.commandTimeout = .seconds(2)
        return configuration
    }

    /// The error of the first command, with how long it took to come.
    static func firstCommandError(_ configuration: RedisConfiguration) async throws -> (RedisError?, Duration) {
        let started = ContinuousClock.now
        let error = try await RedisClient.withRunningClient(configuration: configuration) { client -> RedisError? in
            do {
                try await client.send("PING")
                return nil
            } catch let error as RedisError {
                return error
            }
        }
        return (error, ContinuousClock.now - started)
    }

    @Test("commands round-trip over TLS with the stack's CA, to 127.0.0.1 and to localhost")
    func roundTrip() async throws {
        let ca = try Self.file("ca.pem")
        for host in ["127.0.0.1", "localhost"] {
            let configuration = try Self.configuration(RedisTLSConfiguration(caFile: ca), host: host)
            let key = RedisTestEnvironment.uniquePrefix() + host
            let value = try await RedisClient.withRunningClient(configuration: configuration) { client in
                try await client.send("SET", key, "over tls", "PX", 60_000)
                // A pipeline too: several commands in one TLS record must come back in order.
                let replies = try await client.pipeline([RedisCommand("GET", key), RedisCommand("DEL", key)])
                return replies
            }
            #expect(value == [.bulkString(Array("over tls".utf8)), .integer(1)], "host \(host)")
        }
    }

    @Test("a certificate from another CA is refused with a clear error, not a hang")
    func wrongCARefused() async throws {
        let configuration = try Self.configuration(RedisTLSConfiguration(caFile: Self.file("other-ca.pem")))
        let (error, elapsed) = try await Self.firstCommandError(configuration)
        let failure = try #require(error, "a server signed by another CA was accepted")
        #expect(failure.code == .connectionUnavailable)
        #expect(failure.message.contains("TLS handshake"), "\(failure.message)")
        #expect(failure.message.lowercased().contains("certificate"), "\(failure.message)")
        // The refusal comes from the handshake itself, well before the connect timeout twice over.
        #expect(elapsed < .seconds(4), "took \(elapsed)")
    }

    @Test(
        "full verification refuses a certificate for another name; the server name setting or verification ca accept it",
        .enabled(if: RedisTestEnvironment.ownServerTestsEnabled)
    )
    func serverNameChecked() async throws {
        // A server of the test's own whose certificate (from the same CA) names elsewhere.invalid
        // only: no IP entry, so connecting to 127.0.0.1 must fail the name check.
        let ca = try Self.file("ca.pem")
        let tlsPort = try await freeLoopbackPort()
        let server = try await RedisServerProcess(
            binary: RedisTestEnvironment.requireServerBinary(),
            extraArguments: [
                "--tls-port", "\(tlsPort)", "--tls-cert-file", Self.file("elsewhere.pem"), "--tls-key-file", Self.file("elsewhere.key"),
                "--tls-ca-cert-file", ca, "--tls-auth-clients", "no",
            ])
        var configuration = RedisConfiguration(host: "127.0.0.1", port: tlsPort, connectTimeout: .seconds(2), commandTimeout: .seconds(2))
        configuration.tls = RedisTLSConfiguration(caFile: ca)
        let (error, _) = try await Self.firstCommandError(configuration)
        let failure = try #require(error, "a certificate for elsewhere.invalid was accepted for 127.0.0.1")
        #expect(failure.message.contains("TLS handshake"), "\(failure.message)")
        #expect(failure.message.contains("failedToValidateHostname"), "\(failure.message)")

        for accepting in [
            RedisTLSConfiguration(caFile: ca, serverName: "elsewhere.invalid"), RedisTLSConfiguration(caFile: ca, verification: .ca),
        ] {
            configuration.tls = accepting
            let (error, _) = try await Self.firstCommandError(configuration)
            #expect(error == nil, "\(accepting): \(error.map(\.message) ?? "")")
        }
        // The chain is still checked under verification ca.
        configuration.tls = try RedisTLSConfiguration(caFile: Self.file("other-ca.pem"), verification: .ca)
        let (otherCA, _) = try await Self.firstCommandError(configuration)
        #expect(otherCA?.message.contains("CERTIFICATE_VERIFY_FAILED") == true, "\(otherCA.map(\.message) ?? "accepted")")
        try await server.stop()
    }

    @Test("TLS to the plain port fails at the handshake with a clear error")
    func plainPortRefused() async throws {
        var configuration = try Self.configuration(RedisTLSConfiguration(caFile: Self.file("ca.pem")))
        let plain = try RedisConfiguration(url: Self.require("SESSIONRANK_REDIS_URL"))
        configuration.port = plain.port
        let (error, elapsed) = try await Self.firstCommandError(configuration)
        let failure = try #require(error, "a plain port answered a TLS client")
        #expect(failure.message.contains("TLS handshake"), "\(failure.message)")
        #expect(elapsed < .seconds(4), "took \(elapsed)")
    }

    @Test("the password of a rediss:// URL appears in no error")
    func passwordRedacted() async throws {
        let configuration = try Self.configuration(
            RedisTLSConfiguration(caFile: Self.file("other-ca.pem")), credentials: "app:hunter2-secret")
        #expect(configuration.password == "hunter2-secret")
        let (error, _) = try await Self.firstCommandError(configuration)
        let failure = try #require(error)
        #expect(!"\(failure)".contains("hunter2"), "\(failure)")

        let malformed = #expect(throws: RedisError.self) { try RedisConfiguration(url: "rediss://app:hunter2-secret@host:bad") }
        #expect(malformed?.message.contains("hunter2") == false)
        #expect(malformed?.message.contains("rediss://***@host:bad") == true, "\(malformed?.message ?? "")")
    }

    @Test(
        "a server that asks for a client certificate takes the configured one and refuses a client without",
        .enabled(if: RedisTestEnvironment.ownServerTestsEnabled)
    )
    func clientCertificate() async throws {
        let ca = try Self.file("ca.pem")
        let tlsPort = try await freeLoopbackPort()
        let server = try await RedisServerProcess(
            binary: RedisTestEnvironment.requireServerBinary(),
            extraArguments: [
                "--tls-port", "\(tlsPort)", "--tls-cert-file", Self.file("server.pem"), "--tls-key-file", Self.file("server.key"),
                "--tls-ca-cert-file", ca, "--tls-auth-clients", "yes",
            ])
        var configuration = RedisConfiguration(host: "127.0.0.1", port: tlsPort, connectTimeout: .seconds(2), commandTimeout: .seconds(2))
        configuration.tls = RedisTLSConfiguration(caFile: ca)
        let (refused, _) = try await Self.firstCommandError(configuration)
        #expect(refused != nil, "the server answered a client without a certificate")

        configuration.tls = try RedisTLSConfiguration(caFile: ca, certificateFile: Self.file("client.pem"), keyFile: Self.file("client.key"))
        let (error, _) = try await Self.firstCommandError(configuration)
        #expect(error == nil, "\(error.map(\.message) ?? "")")
        try await server.stop()
    }

    @Test("files that cannot be loaded are refused before any connection, naming the setting")
    func badFilesNamed() throws {
        let notPEM = FileManager.default.temporaryDirectory.appendingPathComponent("not-pem-\(UUID().uuidString).pem").path
        try "not a certificate".write(toFile: notPEM, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: notPEM) }
        let cases: [(RedisTLSConfiguration, RedisTLSConfiguration.Setting)] = [
            (RedisTLSConfiguration(caFile: notPEM), .caFile),
            (RedisTLSConfiguration(caFile: "/nonexistent/ca.pem"), .caFile),
            (RedisTLSConfiguration(certificateFile: try Self.file("server.pem")), .keyFile),
            (RedisTLSConfiguration(keyFile: try Self.file("server.key")), .certificateFile),
            (RedisTLSConfiguration(certificateFile: notPEM, keyFile: try Self.file("server.key")), .certificateFile),
            (RedisTLSConfiguration(serverName: "10.0.0.1"), .serverName),
        ]
        for (tls, setting) in cases {
            let error = #expect(throws: RedisTLSConfiguration.Invalid.self) { try tls.validate() }
            #expect(error?.setting == setting, "\(tls): \(error.map(\.description) ?? "accepted")")
        }
        var configuration = RedisConfiguration()
        configuration.tls = RedisTLSConfiguration(caFile: notPEM)
        let clientError = #expect(throws: RedisError.self) { try RedisClient(configuration: configuration) }
        #expect(clientError?.code == .invalidConfiguration)
        #expect(clientError?.message.contains("tls.caFile") == true, "\(clientError?.message ?? "")")
    }
}

/// The TLS port and the throwaway CA that `make test` announces (scripts/test-data.sh); without
/// them the TLS tests skip locally and fail in CI.
enum RedisTLSEnvironment {
    static let environment = ProcessInfo.processInfo.environment
    static var enabled: Bool {
        RedisTestEnvironment.isCI || (environment["SESSIONRANK_REDIS_TLS_URL"] != nil && environment["SESSIONRANK_TEST_TLS_DIR"] != nil)
    }

    static func require(_ name: String) throws -> String {
        try #require(environment[name], "\(name) is not set: run the tests with `make test` (scripts/test-data.sh)")
    }

    /// A file of the stack's throwaway CA directory (`.local/tls`).
    static func file(_ name: String) throws -> String {
        let path = try require("SESSIONRANK_TEST_TLS_DIR") + "/" + name
        try #require(FileManager.default.fileExists(atPath: path), "\(path) is missing: scripts/stack.sh makes it")
        return path
    }
}

import ArgumentParser
import Foundation
import LoadStub

struct StubCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stub", abstract: "Serve the built-in stub of the service on loopback for a bounded time.")

    @Option(help: "Port on 127.0.0.1.") var port: Int = 8099
    @Option(help: "Seconds to serve before exiting.") var seconds: Double = 600
    @Option(help: "Fixed delay per answer, microseconds.") var delayMicros: Int64 = 0
    @Option(help: "Share of requests answered 503.") var errorRate: Double = 0
    @Flag(help: "Recommend 18+ items to demo-minor on purpose.") var violateAgeRule = false
    @Option(help: "Write the stub's catalog (TSV) here and exit.") var writeCatalog: String?

    func run() async throws {
        if let writeCatalog {
            try StubCatalog.tsv().write(toFile: writeCatalog, atomically: true, encoding: .utf8)
            return
        }
        var options = StubOptions()
        options.delayMicros = delayMicros
        options.errorRate = errorRate
        options.violateAgeRule = violateAgeRule
        let server = try await StubServer.start(port: port, options: options)
        progress("stub serving on http://127.0.0.1:\(server.port) for \(seconds) s")
        try await Task.sleep(for: .seconds(seconds))
        try await server.shutdown()
    }
}

import ArgumentParser
import NIOCore
import NIOPosix

@main
struct SessionRankCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sessionrank",
        abstract: "Session-based product recommendations: the service and its tools.",
        subcommands: [
            ServeCommand.self, MigrateCommand.self, SeedCommand.self, KafkaDevCommand.self,
            TrainCommand.self, EvaluateCommand.self, ModelCommand.self, SimulateCommand.self, TokenCommand.self,
        ]
    )

    /// Runs Swift concurrency on NIO's event loop threads, so an `await` between a handler and
    /// a Redis or HTTP channel does not hop between two thread pools (one core's worth of
    /// context switches at a few thousand requests per second on a small machine).
    static func main() async {
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        await main(nil)
    }
}

/// Options shared by every command that reads the service configuration.
struct ConfigurationOptions: ParsableArguments {
    @Option(name: .long, help: "Service configuration file (YAML). SESSIONRANK_* environment variables override it.")
    var config: String?
}

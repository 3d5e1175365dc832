import ArgumentParser

@main
struct SessionRankCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sessionrank",
        abstract: "Session-based product recommendations: the service and its tools.",
        subcommands: [
            ServeCommand.self, MigrateCommand.self, SeedCommand.self, KafkaDevCommand.self,
            TrainCommand.self, EvaluateCommand.self, ModelCommand.self, SimulateCommand.self,
        ]
    )
}

/// Options shared by every command that reads the service configuration.
struct ConfigurationOptions: ParsableArguments {
    @Option(name: .long, help: "Service configuration file (YAML). SESSIONRANK_* environment variables override it.")
    var config: String?
}

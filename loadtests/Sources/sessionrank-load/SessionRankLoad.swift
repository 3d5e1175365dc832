import ArgumentParser

/// `sessionrank-load`: the open-model load-test harness for SessionRank.
@main
struct SessionRankLoad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sessionrank-load",
        abstract: "Open-model load tests for SessionRank (loopback targets only).",
        subcommands: [RunCommand.self, CapacityCommand.self, CompareCommand.self, ReportCommand.self, StubCommand.self]
    )
}

/// Exit codes other tools can rely on.
enum ExitCodes {
    /// The run worked but an SLO, a capacity ratio or a correctness check was missed.
    static let sloMissed = ExitCode(2)
    /// `compare` found a regression beyond the tolerance.
    static let regression = ExitCode(3)
}

import LoadCore

/// What one client thread is handed before the run (all value types, safe to send).
struct WorkerInput: Sendable {
    var scenario: Scenario
    var plan: WorkerPlan
    var target: LoopbackTarget
    var catalog: Catalog?
    /// Bearer tokens for admin workloads, by workload index (read from the environment once).
    var adminTokens: [Int: String]
    /// The storefront key for /v1 calls (`SESSIONRANK_LOAD_STOREFRONT_KEY` or `--storefront-key`).
    var storefrontKey: String?
    var seed: UInt64
    var runTag: String
    /// The common start of every thread's timeline, in uptime nanoseconds.
    var startUptime: UInt64
}

/// What one client thread hands back.
struct WorkerResult: Sendable {
    var recorder: RunRecorder
    var tally: CorrectnessTally
    var connectionsOpened: Int
    var connectFailures: Int
}

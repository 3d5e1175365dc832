import Foundation
import RedisClient
import Synchronization
import TestSupport
import Testing

extension RedisClusterTests {
    @Suite("Failover and resharding")
    struct Failover {
        @Test func commandsToAFailedPrimaryFailFastUntilItsReplicaTakesOver() async throws {
            let configuration = try ClusterTestEnvironment.configuration(commandTimeout: .seconds(1))
            let seeds = configuration.clusterNodes
            try await ClusterAdmin.waitUntilHealthy(seeds: seeds)
            let primaries = try await ClusterAdmin.primaries(seeds: seeds)
            let victim = try #require(primaries.first)
            let victimTag = try Self.tag(on: victim)
            let otherTag = try Self.tag(on: try #require(primaries.last))
            let server = try await ClusterAdmin.onNode(victim.address) { try await $0.send("INFO", "server").string ?? "" }
            let pid = try #require(Self.infoField("process_id", in: server).flatMap { Int32($0) })
            let configFile = try #require(Self.infoField("config_file", in: server))

            let outcome = try await RedisClient.withRunningClient(configuration: configuration) { client in
                try await client.send("SET", victimTag, 0, "EX", 600)
                try await client.send("SET", otherTag, 0, "EX", 600)
                try await Task.sleep(for: .milliseconds(200))
                let killedAt = ContinuousClock.now
                #expect(kill(pid, SIGKILL) == 0)
                var outcome = FailoverOutcome()
                // A command every 10 ms to each primary, until the victim's slots answer again.
                while ContinuousClock.now - killedAt < .seconds(30) {
                    let started = ContinuousClock.now
                    do {
                        try await client.send("INCR", victimTag)
                        if outcome.failures > 0 {
                            outcome.gap = ContinuousClock.now - killedAt
                            break
                        }
                    } catch {
                        outcome.failures += 1
                        outcome.slowestFailure = max(outcome.slowestFailure, ContinuousClock.now - started)
                        outcome.codes.insert((error as? RedisError)?.code.description ?? "\(error)")
                    }
                    do {
                        try await client.send("INCR", otherTag)
                    } catch {
                        outcome.otherFailures += 1
                        outcome.otherErrors.insert("\(error)")
                    }
                    try await Task.sleep(for: .milliseconds(10))
                }
                return outcome
            }
            let gap = try #require(outcome.gap, "the replica never took over the failed primary's slots within 30 s")
            print(
                "Redis Cluster failover: \(outcome.failures) commands failed fast during a gap of \(gap.milliseconds) ms; "
                    + "slowest failure \(outcome.slowestFailure.milliseconds) ms; errors \(outcome.codes.sorted())")
            #expect(outcome.failures > 0, "killing the primary must have been noticed")
            #expect(outcome.slowestFailure < .milliseconds(500), "commands to a dead primary must fail fast, not hang")
            #expect(outcome.codes.isSubset(of: ["connectionUnavailable", "connectionClosed"]))
            #expect(outcome.otherFailures == 0, "the other primaries' slots must not be disturbed: \(outcome.otherErrors.prefix(3))")

            // Bring the old primary back; it rejoins as a replica of the promoted one.
            // Spawned without the test runner's blocked signals (ChildProcess); it daemonizes and exits.
            let serverBinary = try RedisTestEnvironment.requireServerBinary()
            let restart = try ChildProcess(
                executable: serverBinary, arguments: [configFile], environment: [:],
                logFile: FileManager.default.temporaryDirectory.appendingPathComponent("cluster-restart-\(pid).log").path)
            #expect(try await restart.waitForExit(within: .seconds(10)) == .exited(0), "\(restart.logTail())")
            try await ClusterAdmin.waitUntilHealthy(seeds: seeds)
        }

        @Test func reshardingUnderLoadCausesNoErrors() async throws {
            let configuration = try ClusterTestEnvironment.configuration()
            let seeds = configuration.clusterNodes
            try await ClusterAdmin.waitUntilHealthy(seeds: seeds)
            let primaries = try await ClusterAdmin.primaries(seeds: seeds)
            let source = try #require(primaries.max { $0.slotCount < $1.slotCount })
            let target = try #require(primaries.first { $0 != source })
            // redis-cli moves the source's lowest slots first.
            let moving = Array(source.slots.flatMap { Array($0) }.sorted().prefix(40))
            let tags = (0..<24).map { Self.tag(inSlot: moving[$0 % moving.count]) }
            let script = RedisScript("redis.call('SET', KEYS[1], ARGV[1]); return redis.call('INCR', KEYS[2])")

            let (errors, counts, statistics) = try await RedisClient.withRunningClient(configuration: configuration) { client in
                let stop = StopFlag()
                let reshard = Task {
                    try await Task.sleep(for: .milliseconds(300))
                    defer { stop.value.store(true, ordering: .relaxed) }
                    return try await Self.runRedisCLI([
                        "--cluster", "reshard", source.address.description, "--cluster-from", source.id,
                        "--cluster-to", target.id, "--cluster-slots", "\(moving.count)", "--cluster-yes",
                        "--cluster-pipeline", "5",
                    ])
                }
                // Four workers: a single-key write, a two-key script and a pipelined read per tag.
                let results = await withTaskGroup(of: ([String], [String: Int]).self) { group in
                    for worker in 0..<4 {
                        group.addTask {
                            var errors: [String] = []
                            var counts: [String: Int] = [:]
                            var round = 0
                            while !stop.value.load(ordering: .relaxed) {
                                let tag = tags[(round * 4 + worker) % tags.count]
                                round += 1
                                do {
                                    try await client.send("INCR", tag + ":w\(worker)")
                                    counts[tag + ":w\(worker)", default: 0] += 1
                                    _ = try await client.evalScript(script, keys: [tag + ":s\(worker)", tag + ":c\(worker)"], args: ["x"])
                                    counts[tag + ":c\(worker)", default: 0] += 1
                                    let replies = try await client.pipeline([["GET", tag + ":w\(worker)"], ["GET", tag + ":c\(worker)"]])
                                    if let message = replies.compactMap(\.errorMessage).first { errors.append(message) }
                                } catch {
                                    errors.append("\(error)")
                                }
                            }
                            return (errors, counts)
                        }
                    }
                    var all: ([String], [String: Int]) = ([], [:])
                    for await (errors, counts) in group {
                        all.0 += errors
                        all.1.merge(counts) { $0 + $1 }
                    }
                    return all
                }
                let output = try await reshard.value
                #expect(output.status == 0, "redis-cli --cluster reshard failed: \(output.text.suffix(2_000))")
                // Every acknowledged increment is there, wherever its slot ended up.
                for (key, count) in results.1 {
                    #expect(try await client.send("GET", key).int == count, "\(key)")
                }
                let moved = try #require(client.clusterStatistics)
                return (results.0, results.1, (moved.movedRedirections, moved.askRedirections, moved.tryAgainRetries))
            }
            print(
                "Resharding \(moving.count) slots under load: \(counts.values.reduce(0, +)) writes, \(errors.count) errors, "
                    + "MOVED \(statistics.0), ASK \(statistics.1), TRYAGAIN \(statistics.2)")
            #expect(errors.isEmpty, "errors during resharding: \(errors.prefix(5))")
            #expect(statistics.0 > 0, "the moved slots must have been followed with MOVED")
            // As the target itself sees it: the other nodes learn of it by gossip.
            let after = try await ClusterAdmin.nodes(seeds: [target.address])
            let newOwner = try #require(after.first { $0.id == target.id })
            #expect(moving.allSatisfy { slot in newOwner.slots.contains { $0.contains(slot) } })
        }

        private static func tag(on node: ClusterNode) throws -> String {
            for _ in 0..<100_000 {
                let tag = ClusterTestEnvironment.uniqueTag("f")
                if node.slots.contains(where: { $0.contains(HashSlot.of(tag)) }) { return tag }
            }
            throw RedisError(code: .unexpectedReply, message: "no key found for \(node.address)")
        }

        private static func tag(inSlot slot: Int) -> String {
            while true {
                let tag = ClusterTestEnvironment.uniqueTag("r")
                if HashSlot.of(tag) == slot { return tag }
            }
        }

        private static func infoField(_ name: String, in info: String) -> String? {
            info.split(whereSeparator: \.isNewline).first { $0.hasPrefix(name + ":") }.map {
                String($0.dropFirst(name.count + 1)).trimmingCharacters(in: .whitespaces)
            }
        }

        /// redis-cli next to redis-server, through ChildProcess (Foundation's Process cannot see
        /// its child exit under the test runner's signal mask).
        private static func runRedisCLI(_ arguments: [String]) async throws -> (status: Int32, text: String) {
            let serverBinary = try RedisTestEnvironment.requireServerBinary()
            let cli = URL(fileURLWithPath: serverBinary).deletingLastPathComponent().appendingPathComponent("redis-cli").path
            let log = FileManager.default.temporaryDirectory.appendingPathComponent("reshard-\(UInt32.random(in: 0...UInt32.max)).log").path
            let process = try ChildProcess(executable: cli, arguments: arguments, environment: [:], logFile: log)
            let status = try await process.waitForExit(within: .seconds(120))
            let text = process.logTail(lines: 40)
            guard case .exited(let code) = status else { return (-1, "redis-cli did not finish: \(text)") }
            return (code, text)
        }
    }
}

private final class StopFlag: Sendable {
    let value = Atomic<Bool>(false)
}

private struct FailoverOutcome {
    var failures = 0
    var otherFailures = 0
    var otherErrors: Set<String> = []
    var slowestFailure: Duration = .zero
    var gap: Duration?
    var codes: Set<String> = []
}

extension ClusterNode {
    var slotCount: Int { slots.reduce(0) { $0 + $1.count } }
}

extension Duration {
    var milliseconds: Int64 { components.seconds * 1_000 + components.attoseconds / 1_000_000_000_000_000 }
}

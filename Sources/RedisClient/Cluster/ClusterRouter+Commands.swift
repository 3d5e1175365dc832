/// Routing: each command goes to the primary that owns its keys' slot, following `MOVED` and
/// `ASK`. A command or transaction whose keys span slots is refused before anything is sent.
extension ClusterRouter {
    /// Redirections (and `TRYAGAIN` retries) one command may follow before giving up.
    static let maximumRedirections = 5

    /// The one slot all of `command`'s keys hash to; nil for a command without keys.
    static func slot(of command: RedisCommand) throws(RedisError) -> Int? {
        try commonSlot(of: [command])
    }

    /// The one slot the keys of all `commands` hash to, or a `crossSlot` error naming them.
    static func commonSlot(of commands: [RedisCommand]) throws(RedisError) -> Int? {
        var found: (slot: Int, key: ArraySlice<UInt8>)?
        for command in commands {
            for key in CommandKeys.keys(of: command) {
                let slot = HashSlot.of(bytes: key)
                guard let first = found else {
                    found = (slot, key)
                    continue
                }
                if first.slot != slot {
                    let names = commands.count == 1 ? command.name : "the transaction (\(commands.map(\.name).joined(separator: ", ")))"
                    throw RedisError(
                        code: .crossSlot,
                        message: "\(names) uses keys in different Redis Cluster hash slots: "
                            + "'\(String(decoding: first.key, as: UTF8.self))' is in slot \(first.slot), "
                            + "'\(String(decoding: key, as: UTF8.self))' in slot \(slot). Nothing was sent. Give the keys "
                            + "a common hash tag, e.g. user:{42}:a and user:{42}:b.")
                }
            }
        }
        return found?.slot
    }

    /// Sends `command` to the owner of `slot` (any primary when nil), following redirections.
    func send(_ command: RedisCommand, slot: Int?, timeout: Duration) async throws(RedisError) -> RESPValue {
        var askTarget: RedisNodeAddress?
        for _ in 0...Self.maximumRedirections {
            let node: RedisNodeAddress
            if let askTarget {
                node = askTarget
            } else {
                node = try await owner(of: slot)
            }
            let reply = try await sendOnce(command, to: node, asking: askTarget != nil, timeout: timeout)
            askTarget = nil
            guard case .error(let text) = reply else { return reply }
            if let redirection = ClusterRedirection(errorText: text, from: node) {
                switch redirection.kind {
                case .moved:
                    statistics.moved.add(1, ordering: .relaxed)
                    assign(slot: redirection.slot, to: redirection.node)
                case .ask:
                    statistics.asked.add(1, ordering: .relaxed)
                    askTarget = redirection.node
                }
                continue
            }
            if text.hasPrefix("TRYAGAIN") {
                // A multi-key command whose keys are split by a slot migration in progress.
                statistics.tryAgain.add(1, ordering: .relaxed)
                do { try await Task.sleep(for: .milliseconds(20)) } catch { break }
                continue
            }
            if text.hasPrefix("CLUSTERDOWN") { requestRefresh() }
            throw RedisError.server(text)
        }
        throw RedisError(
            code: .connectionUnavailable,
            message: "\(command.name) was redirected more than \(Self.maximumRedirections) times; the Redis Cluster "
                + "slot map keeps changing (resharding or failover). Retry shortly.")
    }

    /// Sends all `commands` and returns their replies in order. Commands are grouped by the node
    /// that owns their slot and each group goes out as one pipeline; a redirected command is
    /// retried alone. With `MULTI` in the batch, every key must share one slot.
    func pipeline(_ commands: [RedisCommand], timeout: Duration) async throws(RedisError) -> [RESPValue] {
        if commands.contains(where: { $0.name.uppercased() == "MULTI" }) {
            let slot = try Self.commonSlot(of: commands)
            let node = try await owner(of: slot)
            return try await sendBatch(commands, to: node, timeout: timeout)
        }
        let slots = try commands.map { command throws(RedisError) in try Self.slot(of: command) }
        var groups: [RedisNodeAddress: [Int]] = [:]
        for (index, slot) in slots.enumerated() {
            groups[try await owner(of: slot), default: []].append(index)
        }
        var replies = [RESPValue](repeating: .null, count: commands.count)
        typealias GroupReplies = (indices: [Int], replies: Result<[RESPValue], RedisError>)
        let results = await withTaskGroup(of: GroupReplies.self) { group in
            for (node, indices) in groups {
                group.addTask {
                    let replies: Result<[RESPValue], RedisError>
                    do throws(RedisError) {
                        replies = .success(try await self.sendBatch(indices.map { commands[$0] }, to: node, timeout: timeout))
                    } catch {
                        replies = .failure(error)
                    }
                    return (indices, replies)
                }
            }
            var results: [GroupReplies] = []
            for await result in group { results.append(result) }
            return results
        }
        for result in results {
            let groupReplies = try result.replies.get()
            for (index, reply) in zip(result.indices, groupReplies) { replies[index] = reply }
        }
        // Commands the cluster redirected did not run: retry them one by one, in order.
        for index in replies.indices {
            guard let text = replies[index].errorMessage, Self.isRedirection(text) else { continue }
            if text.hasPrefix("MOVED") || text.hasPrefix("ASK") { requestRefresh() }
            do {
                replies[index] = try await send(commands[index], slot: slots[index], timeout: timeout)
            } catch where error.code == .serverError {
                replies[index] = .error(error.serverMessage ?? error.message)
            }
        }
        return replies
    }

    /// Sends `command` to every primary (e.g. `SCRIPT LOAD`, `PING`); the first failure is thrown.
    func sendToAllPrimaries(_ command: RedisCommand, timeout: Duration) async throws(RedisError) -> [RESPValue] {
        let topology = try await currentTopology()
        var replies: [RESPValue] = []
        for node in topology.primaries {
            let reply = try await sendOnce(command, to: node, asking: false, timeout: timeout)
            if case .error(let text) = reply { throw RedisError.server(text) }
            replies.append(reply)
        }
        return replies
    }

    private static func isRedirection(_ text: String) -> Bool {
        text.hasPrefix("MOVED ") || text.hasPrefix("ASK ") || text.hasPrefix("TRYAGAIN")
    }

    /// The owner of `slot`, or a random primary for a command without keys. Fails at once when
    /// no node serves the slot (its primary failed and no replica has taken over yet).
    private func owner(of slot: Int?) async throws(RedisError) -> RedisNodeAddress {
        let topology = try await currentTopology()
        guard let slot else {
            guard let node = topology.primaries.randomElement() else { throw Self.uncovered(slot: nil) }
            return node
        }
        guard let node = topology.owner(ofSlot: slot) else {
            requestRefresh()
            throw Self.uncovered(slot: slot)
        }
        return node
    }

    private static func uncovered(slot: Int?) -> RedisError {
        RedisError(
            code: .connectionUnavailable,
            message: "No Redis Cluster primary serves \(slot.map { "slot \($0)" } ?? "any slot") yet (failover "
                + "or resharding in progress); the client refreshes its slot map. Retry shortly.")
    }

    /// One attempt on one node; a connection failure asks for a new slot map and is thrown at
    /// once, so commands to a failed primary fail fast instead of waiting for the failover.
    private func sendOnce(
        _ command: RedisCommand, to node: RedisNodeAddress, asking: Bool, timeout: Duration
    ) async throws(RedisError) -> RESPValue {
        if asking {
            let replies = try await sendBatch([RedisCommand("ASKING"), command], to: node, timeout: timeout)
            return replies[1]
        }
        do {
            let connection = try await pool(for: node).connection()
            return try await Self.result(of: connection.send(command, timeout: timeout))
        } catch {
            throw failed(error, node: node)
        }
    }

    private func sendBatch(_ commands: [RedisCommand], to node: RedisNodeAddress, timeout: Duration) async throws(RedisError) -> [RESPValue] {
        do {
            let connection = try await pool(for: node).connection()
            return try await Self.result(of: connection.send(batch: commands, timeout: timeout))
        } catch {
            throw failed(error, node: node)
        }
    }

    private func failed(_ error: RedisError, node: RedisNodeAddress) -> RedisError {
        switch error.code {
        case .connectionUnavailable, .connectionClosed, .commandTimedOut:
            requestRefresh()
            return RedisError(code: error.code, message: "Redis Cluster node \(node): \(error.message)", serverMessage: error.serverMessage)
        default:
            return error
        }
    }
}

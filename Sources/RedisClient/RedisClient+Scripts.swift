extension RedisClient {
    /// Runs a Lua script by its SHA-1 (`EVALSHA`). When Redis does not know the script (first use,
    /// after a restart or `SCRIPT FLUSH`) it is loaded with `SCRIPT LOAD` and run again, so callers
    /// never see `NOSCRIPT`. Keys are listed separately so Redis Cluster can route the call.
    @discardableResult
    public func evalScript(
        _ script: RedisScript, keys: [any RedisArgument] = [], args: [any RedisArgument] = [], timeout: Duration? = nil
    ) async throws(RedisError) -> RESPValue {
        var command = RedisCommand("EVALSHA", script.sha1, keys.count)
        command.append(contentsOf: keys)
        command.append(contentsOf: args)
        do {
            return try await send(command, timeout: timeout)
        } catch where error.serverErrorPrefix == "NOSCRIPT" {
            if configuration.isCluster {
                // The node that owns the keys lacks it: EVAL runs it there and caches it there,
                // whatever state the other primaries are in.
                var eval = RedisCommand("EVAL", script.source, keys.count)
                eval.append(contentsOf: keys)
                eval.append(contentsOf: args)
                return try await send(eval, timeout: timeout)
            }
            try await loadScript(script)
            return try await send(command, timeout: timeout)
        }
    }

    /// Loads a script into Redis' script cache (`SCRIPT LOAD`), e.g. at start-up; with a
    /// cluster, into every primary's.
    public func loadScript(_ script: RedisScript) async throws(RedisError) {
        for reply in try await sendToAllPrimaries(RedisCommand("SCRIPT", "LOAD", script.source)) where reply.string != script.sha1 {
            throw RedisError(
                code: .unexpectedReply,
                message: "SCRIPT LOAD returned \(reply), expected the script's SHA-1 \(script.sha1).")
        }
    }
}

/// Which arguments of a command are keys, so the cluster client can route it. A short table of
/// the commands whose keys are not simply the first argument; every other command is taken to
/// have its key first. Commands not listed whose other keys sit elsewhere (e.g. `ZUNIONSTORE`) are
/// routed by their first key, and Redis itself rejects them with `CROSSSLOT` if the keys differ.
enum CommandKeys {
    enum Layout {
        case none
        case first
        case all
        case firstTwo
        case allButLast
        case everyOther
        /// `EVAL`/`EVALSHA`/`FCALL`: argument 2 counts the keys that follow it.
        case counted
    }

    static func layout(of name: String) -> Layout {
        layouts[name.uppercased()] ?? .first
    }

    /// The key arguments of `command`, in order.
    static func keys(of command: RedisCommand) -> [ArraySlice<UInt8>] {
        let arguments = command.argumentSlices
        guard arguments.count > 1 else { return [] }
        switch layout(of: command.name) {
        case .none: return []
        case .first: return [arguments[1]]
        case .all: return Array(arguments[1...])
        case .firstTwo: return Array(arguments[1..<min(3, arguments.count)])
        case .allButLast: return Array(arguments[1..<arguments.count - 1])
        case .everyOther: return stride(from: 1, to: arguments.count, by: 2).map { arguments[$0] }
        case .counted:
            guard arguments.count > 2, let count = Int(String(decoding: arguments[2], as: UTF8.self)), count > 0 else {
                return []
            }
            return Array(arguments[3..<min(3 + count, arguments.count)])
        }
    }

    private static let layouts: [String: Layout] = {
        var table: [String: Layout] = [:]
        for name in [
            "PING", "ECHO", "INFO", "SCRIPT", "FUNCTION", "CLUSTER", "COMMAND", "TIME", "DBSIZE", "FLUSHALL",
            "FLUSHDB", "CONFIG", "CLIENT", "AUTH", "HELLO", "SELECT", "MULTI", "EXEC", "DISCARD", "ASKING",
            "READONLY", "READWRITE", "WAIT", "KEYS", "SCAN", "RANDOMKEY", "PUBLISH", "LASTSAVE", "MEMORY",
            "SLOWLOG", "LATENCY", "DEBUG", "UNWATCH", "QUIT", "RESET",
        ] { table[name] = Layout.none }
        for name in [
            "DEL", "UNLINK", "EXISTS", "MGET", "TOUCH", "WATCH", "SINTER", "SUNION", "SDIFF", "SINTERSTORE",
            "SUNIONSTORE", "SDIFFSTORE", "PFCOUNT", "PFMERGE",
        ] { table[name] = .all }
        for name in ["RENAME", "RENAMENX", "RPOPLPUSH", "LMOVE", "SMOVE", "COPY", "BLMOVE", "BRPOPLPUSH", "ZRANGESTORE"] {
            table[name] = .firstTwo
        }
        for name in ["BLPOP", "BRPOP", "BZPOPMIN", "BZPOPMAX"] { table[name] = .allButLast }
        for name in ["MSET", "MSETNX"] { table[name] = .everyOther }
        for name in ["EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO", "FCALL", "FCALL_RO"] { table[name] = .counted }
        return table
    }()
}

extension RedisCommand {
    /// Each argument's bytes, the command name first.
    var argumentSlices: [ArraySlice<UInt8>] {
        var start = 0
        return argumentLengths.map { length in
            defer { start += length }
            return bytes[start..<start + length]
        }
    }
}

/// Which primary serves each hash slot, as one node's `CLUSTER SLOTS` reply describes it.
struct ClusterTopology: Sendable, Equatable {
    /// The primaries that own at least one slot, in the order the reply lists them.
    private(set) var primaries: [RedisNodeAddress] = []
    /// Every node named in the reply, replicas included: candidates to ask for the next refresh.
    private(set) var allNodes: [RedisNodeAddress] = []
    /// Per slot, the index in ``primaries`` of its owner, or -1 while no node serves it.
    private var owners = [Int16](repeating: -1, count: HashSlot.count)

    init() {}

    /// Parses `CLUSTER SLOTS`: `[[start, end, [host, port, id, ...], [replica host, port, ...]...]...]`.
    /// An empty host means "the node you asked" (`respondingNode`).
    init(slotsReply reply: RESPValue, respondingNode: RedisNodeAddress) throws(RedisError) {
        guard let ranges = reply.array else { throw Self.unexpected(reply) }
        for range in ranges {
            guard let parts = range.array, parts.count >= 3, let start = parts[0].int, let end = parts[1].int,
                  0 <= start, start <= end, end < HashSlot.count
            else { throw Self.unexpected(reply) }
            var nodes: [RedisNodeAddress] = []
            for node in parts[2...] {
                guard let fields = node.array, fields.count >= 2, let host = fields[0].string, let port = fields[1].int else {
                    throw Self.unexpected(reply)
                }
                // "?" marks a node whose address is unknown; it cannot be reached.
                guard host != "?" else { continue }
                nodes.append(RedisNodeAddress(host: host.isEmpty ? respondingNode.host : host, port: port))
            }
            guard let primary = nodes.first else { continue }
            for node in nodes where !allNodes.contains(node) { allNodes.append(node) }
            let index: Int
            if let known = primaries.firstIndex(of: primary) {
                index = known
            } else {
                index = primaries.count
                primaries.append(primary)
            }
            for slot in start...end { owners[slot] = Int16(index) }
        }
    }

    func owner(ofSlot slot: Int) -> RedisNodeAddress? {
        let index = owners[slot]
        return index < 0 ? nil : primaries[Int(index)]
    }

    /// After a `MOVED`: the slot now belongs to `node`, until the next full refresh says more.
    mutating func assign(slot: Int, to node: RedisNodeAddress) {
        if let index = primaries.firstIndex(of: node) {
            owners[slot] = Int16(index)
        } else {
            owners[slot] = Int16(primaries.count)
            primaries.append(node)
            if !allNodes.contains(node) { allNodes.append(node) }
        }
    }

    var coveredSlotCount: Int { owners.reduce(0) { $0 + ($1 < 0 ? 0 : 1) } }

    private static func unexpected(_ reply: RESPValue) -> RedisError {
        RedisError(code: .unexpectedReply, message: "CLUSTER SLOTS returned a reply this client cannot read: \(reply)")
    }
}

/// A `MOVED` or `ASK` error reply: `MOVED 3999 127.0.0.1:6381`. An empty host (`:6381`) means
/// the host of the node that answered.
struct ClusterRedirection: Equatable {
    enum Kind { case moved, ask }
    var kind: Kind
    var slot: Int
    var node: RedisNodeAddress

    init(kind: Kind, slot: Int, node: RedisNodeAddress) {
        self.kind = kind
        self.slot = slot
        self.node = node
    }

    init?(errorText: String, from responder: RedisNodeAddress) {
        let parts = errorText.split(separator: " ")
        guard parts.count == 3, let slot = Int(parts[1]), (0..<HashSlot.count).contains(slot),
              let colon = parts[2].lastIndex(of: ":"), let port = Int(parts[2][parts[2].index(after: colon)...])
        else { return nil }
        switch parts[0] {
        case "MOVED": kind = .moved
        case "ASK": kind = .ask
        default: return nil
        }
        var host = String(parts[2][..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.slot = slot
        self.node = RedisNodeAddress(host: host.isEmpty ? responder.host : host, port: port)
    }
}

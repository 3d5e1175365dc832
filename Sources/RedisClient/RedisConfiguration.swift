/// Where the Redis server is and how the client talks to it.
public struct RedisConfiguration: Sendable, Hashable {
    public var host: String
    public var port: Int
    /// Connections kept open; commands are spread over them round-robin.
    public var poolSize: Int
    public var connectTimeout: Duration
    /// How long a command may wait for its reply. A command that takes longer fails with
    /// ``RedisError/Code-swift.struct/commandTimedOut``; its late reply is discarded, and the
    /// connection is reset only if that reply is overdue by ``unresponsiveLimit``.
    public var commandTimeout: Duration
    /// The first wait before reconnecting after a connection is lost; doubled per failed attempt.
    public var reconnectBackoffMin: Duration
    public var reconnectBackoffMax: Duration
    /// ACL user name; `nil` authenticates as `default` when a password is set.
    public var username: String?
    public var password: String?
    public var database: Int
    /// Seed nodes of a Redis Cluster. Empty (the default): one standalone server at `host`:`port`.
    /// Otherwise the client discovers the cluster from these nodes and routes each command to
    /// the primary that owns its keys' hash slot; `host`/`port` are then ignored.
    public var clusterNodes: [RedisNodeAddress]
    /// How often a cluster client re-reads the slot map even without redirections or failures.
    public var clusterRefreshInterval: Duration
    /// TLS on every connection (standalone and cluster nodes alike); nil: plain TCP.
    public var tls: RedisTLSConfiguration?

    /// How long a timed-out command's reply may stay overdue before its connection is presumed
    /// dead and reset: ten command timeouts, at least one second.
    public var unresponsiveLimit: Duration {
        max(commandTimeout * 10, .seconds(1))
    }

    public init(
        host: String = "127.0.0.1",
        port: Int = 6379,
        poolSize: Int = 4,
        connectTimeout: Duration = .seconds(2),
        commandTimeout: Duration = .seconds(1),
        reconnectBackoffMin: Duration = .milliseconds(50),
        reconnectBackoffMax: Duration = .seconds(5),
        username: String? = nil,
        password: String? = nil,
        database: Int = 0,
        clusterNodes: [RedisNodeAddress] = [],
        clusterRefreshInterval: Duration = .seconds(5),
        tls: RedisTLSConfiguration? = nil
    ) {
        self.host = host
        self.port = port
        self.poolSize = poolSize
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.reconnectBackoffMin = reconnectBackoffMin
        self.reconnectBackoffMax = reconnectBackoffMax
        self.username = username
        self.password = password
        self.database = database
        self.clusterNodes = clusterNodes
        self.clusterRefreshInterval = clusterRefreshInterval
        self.tls = tls
    }

    /// Whether the client talks to a Redis Cluster (``clusterNodes`` is not empty).
    public var isCluster: Bool { !clusterNodes.isEmpty }

    /// Reads `redis://[[user]:password@]host[:port][/database]`, or for a Redis Cluster
    /// `redis+cluster://[[user]:password@]host1:port1,host2:port2` (seed nodes, database 0 only);
    /// `rediss://` and `rediss+cluster://` are the same over TLS (``tls`` set to the defaults:
    /// the system's trust store, full verification). The other settings keep their defaults.
    public init(url: String) throws(RedisError) {
        let parsed = try RedisURL(parsing: url)
        let nodes = parsed.clusterSeeds.map { RedisNodeAddress(host: $0.host, port: $0.port ?? 6379) }
        self.init(
            host: parsed.host, port: parsed.port ?? 6379,
            username: parsed.username, password: parsed.password, database: parsed.database ?? 0,
            clusterNodes: nodes, tls: parsed.isTLS ? RedisTLSConfiguration() : nil
        )
    }

    /// Throws a message naming the field when a setting cannot work.
    public func validate() throws(RedisError) {
        func invalid(_ text: String) -> RedisError {
            RedisError(code: .invalidConfiguration, message: "Invalid Redis configuration: \(text)")
        }
        if host.isEmpty { throw invalid("`host` is empty; set it to the Redis server's name or address") }
        if !(1...65535).contains(port) { throw invalid("`port` must be 1...65535 (got \(port))") }
        if poolSize < 1 { throw invalid("`poolSize` must be at least 1 (got \(poolSize))") }
        if database < 0 { throw invalid("`database` must not be negative (got \(database))") }
        if connectTimeout <= .zero { throw invalid("`connectTimeout` must be positive (got \(connectTimeout))") }
        if commandTimeout <= .zero { throw invalid("`commandTimeout` must be positive (got \(commandTimeout))") }
        for node in clusterNodes where node.host.isEmpty || !(1...65535).contains(node.port) {
            throw invalid("`clusterNodes` has an invalid address '\(node)'; use host:port with a port in 1...65535")
        }
        if isCluster && database != 0 {
            throw invalid("`database` must be 0 with a Redis Cluster, which has only database 0 (got \(database))")
        }
        if clusterRefreshInterval <= .zero {
            throw invalid("`clusterRefreshInterval` must be positive (got \(clusterRefreshInterval))")
        }
        if reconnectBackoffMin <= .zero || reconnectBackoffMax < reconnectBackoffMin {
            throw invalid(
                "`reconnectBackoffMin` must be positive and at most `reconnectBackoffMax` "
                    + "(got \(reconnectBackoffMin) and \(reconnectBackoffMax))")
        }
    }
}

/// One Redis server's address, e.g. a cluster seed node.
public struct RedisNodeAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

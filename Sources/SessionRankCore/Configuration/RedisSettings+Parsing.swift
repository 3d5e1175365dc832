import Foundation

extension ServiceConfiguration.RedisSettings {
    /// Reads the `redis` section; each error names the field and what is allowed.
    init(_ redis: ConfigSection, defaults: Self) throws {
        self.init()
        url = try redis.string("url", default: defaults.url)
        poolSize = try redis.int("poolSize", default: defaults.poolSize, in: 1...64)
        commandTimeoutMilliseconds = try redis.int(
            "commandTimeoutMilliseconds", default: defaults.commandTimeoutMilliseconds, in: 1...60_000)
        connectTimeoutMilliseconds = try redis.int(
            "connectTimeoutMilliseconds", default: defaults.connectTimeoutMilliseconds, in: 1...60_000)
        tlsCaFile = try redis.string("tlsCaFile", default: defaults.tlsCaFile)
        tlsCertFile = try redis.string("tlsCertFile", default: defaults.tlsCertFile)
        tlsKeyFile = try redis.string("tlsKeyFile", default: defaults.tlsKeyFile)
        tlsVerify = try redis.string("tlsVerify", default: defaults.tlsVerify, allowed: ["full", "ca"])
        tlsServerName = try redis.string("tlsServerName", default: defaults.tlsServerName)
        try redis.rejectUnknownKeys()

        if url.hasPrefix("redis+cluster://") || url.hasPrefix("rediss+cluster://") {
            // A seed list h1:p1,h2:p2, which URLComponents cannot read; the Redis client reads the rest.
            try ServiceConfiguration.requireClusterSeeds(url, field: "redis.url")
        } else {
            try ServiceConfiguration.requireURL(url, schemes: ["redis", "rediss"], field: "redis.url")
        }
        try validateTLS()
    }

    /// TLS settings only mean something over TLS, and the files must be readable: a setting that
    /// would be ignored, or fail on the first connection, is refused at start-up instead.
    private func validateTLS() throws {
        let files = [("redis.tlsCaFile", tlsCaFile), ("redis.tlsCertFile", tlsCertFile), ("redis.tlsKeyFile", tlsKeyFile)]
        if !usesTLS {
            if let (field, _) = (files + [("redis.tlsServerName", tlsServerName)]).first(where: { !$0.1.isEmpty }) {
                throw ConfigurationError(field: field, "is set, but redis.url does not ask for TLS; use rediss:// or rediss+cluster://")
            }
            if tlsVerify != "full" {
                throw ConfigurationError(field: "redis.tlsVerify", "is set, but redis.url does not ask for TLS; use rediss:// or rediss+cluster://")
            }
            return
        }
        for (field, path) in files where !path.isEmpty && !FileManager.default.isReadableFile(atPath: path) {
            throw ConfigurationError(field: field, "cannot read \(path); give the path of a readable PEM file")
        }
        if tlsCertFile.isEmpty != tlsKeyFile.isEmpty {
            let missing = tlsCertFile.isEmpty ? "redis.tlsCertFile" : "redis.tlsKeyFile"
            throw ConfigurationError(field: missing, "must be set too: a client certificate and its key go together")
        }
    }
}

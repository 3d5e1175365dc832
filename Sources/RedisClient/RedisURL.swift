/// The parts of a `redis://` or `redis+cluster://` URL, or of their TLS forms `rediss://` and
/// `rediss+cluster://`. Parsed by hand so the module needs no Foundation.
struct RedisURL: Equatable {
    var host: String
    var port: Int?
    var username: String?
    var password: String?
    var database: Int?
    /// The seed nodes of a `redis+cluster://` URL, in order; empty for `redis://`.
    var clusterSeeds: [Seed] = []
    /// `rediss://` or `rediss+cluster://`.
    var isTLS = false

    struct Seed: Equatable {
        var host: String
        var port: Int?
    }

    static let clusterScheme = "redis+cluster://"
    /// Every scheme, longest first so `redis+cluster://` is not read as `redis://`.
    static let schemes = ["rediss+cluster://", "redis+cluster://", "rediss://", "redis://"]

    init(parsing url: String) throws(RedisError) {
        func invalid(_ why: String) -> RedisError {
            RedisError(
                code: .invalidConfiguration,
                message: "Invalid Redis URL '\(Self.redactingPassword(url))': \(why). "
                    + "Expected redis://[[user]:password@]host[:port][/database] "
                    + "or redis+cluster://[[user]:password@]host1:port1,host2:port2 (rediss:// and rediss+cluster:// for TLS)")
        }
        guard let scheme = Self.schemes.first(where: { url.hasPrefix($0) }) else {
            throw invalid("it must start with redis://, rediss://, redis+cluster:// or rediss+cluster://")
        }
        let isCluster = scheme.hasSuffix("+cluster://")
        isTLS = scheme.hasPrefix("rediss")
        var rest = Substring(url.dropFirst(scheme.count))

        // Query and fragment carry no settings this client supports.
        if let end = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) { rest = rest[..<end] }

        var path: Substring = ""
        if let slash = rest.firstIndex(of: "/") {
            path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
        }

        // The password may contain '@', so the last '@' ends the credentials.
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            let user: Substring?
            let secret: Substring
            if let colon = credentials.firstIndex(of: ":") {
                user = credentials[..<colon]
                secret = credentials[credentials.index(after: colon)...]
            } else {
                // A lone credential is the password, as redis-cli reads it.
                user = nil
                secret = credentials
            }
            if let user, !user.isEmpty {
                guard let decoded = Self.percentDecoded(user) else { throw invalid("bad %-escape in the user") }
                username = decoded
            }
            guard let decodedSecret = Self.percentDecoded(secret) else {
                throw invalid("bad %-escape in the password")
            }
            password = decodedSecret
        }

        var seeds: [Seed] = []
        if isCluster {
            for seed in rest.split(separator: ",", omittingEmptySubsequences: false) {
                seeds.append(try Self.hostAndPort(seed, invalid: invalid))
            }
        } else {
            seeds = [try Self.hostAndPort(rest, invalid: invalid)]
        }
        host = seeds[0].host
        port = seeds[0].port
        if isCluster { clusterSeeds = seeds }
        if !path.isEmpty {
            guard let value = Int(path), value >= 0, !isCluster || value == 0 else {
                if isCluster { throw invalid("a Redis Cluster has only database 0; drop the path '/\(path)'") }
                throw invalid("the path '/\(path)' must be a database number such as /0")
            }
            database = value
        }
    }

    /// `host`, `host:port` or `[ipv6]:port`.
    private static func hostAndPort(_ text: Substring, invalid: (String) -> RedisError) throws(RedisError) -> Seed {
        var host: String
        var portText: Substring?
        if text.hasPrefix("[") {
            // IPv6 literal: [::1]:6379
            guard let close = text.firstIndex(of: "]") else { throw invalid("unclosed '[' in the host") }
            host = String(text[text.index(after: text.startIndex)..<close])
            let after = text[text.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw invalid("unexpected text after the IPv6 host") }
                portText = after.dropFirst()
            }
        } else if let colon = text.lastIndex(of: ":") {
            host = String(text[..<colon])
            portText = text[text.index(after: colon)...]
        } else {
            host = String(text)
        }
        guard !host.isEmpty else { throw invalid("the host is missing") }
        guard let portText else { return Seed(host: host, port: nil) }
        guard let value = Int(portText), (1...65535).contains(value) else {
            throw invalid("the port '\(portText)' is not a number in 1...65535")
        }
        return Seed(host: host, port: value)
    }

    /// For error messages: never echo a password into logs.
    static func redactingPassword(_ url: String) -> String {
        guard let at = url.lastIndex(of: "@") else { return url }
        // Any scheme, so a mistyped one does not leak the password either.
        guard let schemeEnd = url.firstRange(of: "://")?.upperBound, schemeEnd <= at else { return "***" + url[at...] }
        return url[..<schemeEnd] + "***" + url[at...]
    }

    static func percentDecoded(_ text: Substring) -> String? {
        guard text.contains("%") else { return String(text) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                return nil
            }
            bytes.append(high << 4 | low)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// The parts of a `redis://` URL. Parsed by hand so the module needs no Foundation.
struct RedisURL: Equatable {
    var host: String
    var port: Int?
    var username: String?
    var password: String?
    var database: Int?

    init(parsing url: String) throws(RedisError) {
        func invalid(_ why: String) -> RedisError {
            RedisError(
                code: .invalidConfiguration,
                message: "Invalid Redis URL '\(Self.redactingPassword(url))': \(why). "
                    + "Expected redis://[[user]:password@]host[:port][/database]")
        }
        guard url.hasPrefix("redis://") else { throw invalid("it must start with redis://") }
        var rest = Substring(url.dropFirst("redis://".count))

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

        var portText: Substring?
        if rest.hasPrefix("[") {
            // IPv6 literal: [::1]:6379
            guard let close = rest.firstIndex(of: "]") else { throw invalid("unclosed '[' in the host") }
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw invalid("unexpected text after the IPv6 host") }
                portText = after.dropFirst()
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = String(rest[..<colon])
            portText = rest[rest.index(after: colon)...]
        } else {
            host = String(rest)
        }
        guard !host.isEmpty else { throw invalid("the host is missing") }

        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else {
                throw invalid("the port '\(portText)' is not a number in 1...65535")
            }
            port = value
        }
        if !path.isEmpty {
            guard let value = Int(path), value >= 0 else {
                throw invalid("the path '/\(path)' must be a database number such as /0")
            }
            database = value
        }
    }

    /// For error messages: never echo a password into logs.
    static func redactingPassword(_ url: String) -> String {
        guard let at = url.lastIndex(of: "@"), url.hasPrefix("redis://") else { return url }
        return "redis://***" + url[at...]
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

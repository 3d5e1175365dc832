/// The service under test. Only loopback addresses are accepted: this harness must never
/// send load to another machine.
public struct LoopbackTarget: Sendable, Equatable {
    /// The address to connect to (`localhost` is pinned to 127.0.0.1, not resolved).
    public var host: String
    public var port: Int
    /// The `Host` header value.
    public var hostHeader: String

    public init(url: String) throws(ScenarioError) {
        guard url.hasPrefix("http://") else {
            throw ScenarioError(field: "target", message: "'\(url)' must start with http:// (TLS is not needed on loopback)")
        }
        var rest = Substring(url.dropFirst("http://".count))
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        let hostPart: Substring
        var portPart: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw ScenarioError(field: "target", message: "unterminated IPv6 address in '\(url)'") }
            hostPart = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") { portPart = after.dropFirst() }
        } else if let colon = rest.lastIndex(of: ":") {
            hostPart = rest[..<colon]
            portPart = rest[rest.index(after: colon)...]
        } else {
            hostPart = rest
        }
        let host = String(hostPart).lowercased()
        guard let address = Self.loopbackAddress(host) else {
            throw ScenarioError(field: "target", message: "'\(host)' is not a loopback address; only 127.0.0.0/8, localhost and ::1 may be load-tested")
        }
        let port = portPart.map { Int($0) } ?? 80
        guard let port, (1...65535).contains(port) else {
            throw ScenarioError(field: "target", message: "invalid port in '\(url)'")
        }
        self.host = address
        self.port = port
        hostHeader = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// The address to dial for a loopback host name, or nil when it is not loopback.
    public static func loopbackAddress(_ host: String) -> String? {
        if host == "localhost" { return "127.0.0.1" }
        if host == "::1" || host == "0:0:0:0:0:0:0:1" { return "::1" }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        let values = octets.compactMap { $0.isEmpty || $0.count > 3 ? nil : UInt8($0) }
        guard values.count == 4, values[0] == 127 else { return nil }
        return values.map(String.init).joined(separator: ".")
    }
}

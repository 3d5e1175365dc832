import Foundation

/// The parts of a `postgres://user:password@host:port/database?sslmode=…` URL that PostgresNIO
/// needs. TLS follows libpq's `sslmode` names, and `sslrootcert` names the CA file.
public struct PostgresConnectionSettings: Sendable, Equatable {
    /// libpq's TLS modes, from weakest to strongest.
    public enum TLSMode: String, Sendable, Equatable, CaseIterable {
        /// Plain text only.
        case disable
        /// TLS when the server offers it, else plain; the certificate is not checked (libpq's default).
        case prefer
        /// TLS or no connection; the certificate is checked only when `sslrootcert` is given (as libpq does).
        case require
        /// TLS, and the server's certificate must chain to the CA.
        case verifyCA = "verify-ca"
        /// As verify-ca, and the certificate must name the host connected to.
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var tlsMode: TLSMode
    /// PEM file of the CA for the verify modes; nil: the system's trust store.
    public var rootCertificatePath: String?

    public init(url: String, field: String = "postgres.url") throws {
        let shown = Self.redactingPassword(url)
        guard let components = URLComponents(string: url),
              let scheme = components.scheme, scheme == "postgres" || scheme == "postgresql",
              let host = components.host, !host.isEmpty
        else {
            throw ConfigurationError(field: field, "must be a URL like postgres://user:password@host:5432/database; got \"\(shown)\"")
        }
        guard let username = components.user, !username.isEmpty else {
            throw ConfigurationError(field: field, "must name a user, as in postgres://user@host:5432/database")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty else {
            throw ConfigurationError(field: field, "must name a database, as in postgres://user@host:5432/database")
        }
        var tlsMode = TLSMode.prefer
        var rootCertificatePath: String?
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = item.value.flatMap(TLSMode.init(rawValue:)) else {
                    throw ConfigurationError(
                        field: field, "sslmode must be one of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", ")); got \"\(item.value ?? "")\"")
                }
                tlsMode = mode
            case "sslrootcert":
                guard let path = item.value, !path.isEmpty else { throw ConfigurationError(field: field, "sslrootcert must name a PEM file") }
                rootCertificatePath = path
            default:
                throw ConfigurationError(field: field, "\"\(item.name)\" is not a known parameter; known: sslmode, sslrootcert")
            }
        }
        if rootCertificatePath != nil, tlsMode == .disable || tlsMode == .prefer {
            throw ConfigurationError(field: field, "sslrootcert needs sslmode require, verify-ca or verify-full; got \(tlsMode.rawValue)")
        }
        self.host = host
        self.port = components.port ?? 5432
        self.username = username
        self.password = components.password
        self.database = database
        self.tlsMode = tlsMode
        self.rootCertificatePath = rootCertificatePath
    }

    /// The URL with its password replaced, for errors and logs.
    public static func redactingPassword(_ url: String) -> String {
        guard var components = URLComponents(string: url) else {
            // Unparseable (a bad port, say): hide everything between the scheme and the last '@'.
            guard let at = url.lastIndex(of: "@") else { return url }
            let start = url.range(of: "://").map(\.upperBound) ?? url.startIndex
            return start <= at ? String(url[..<start]) + "***" + url[at...] : url
        }
        guard components.password != nil else { return url }
        components.password = "***"
        return components.string ?? "<unparseable URL>"
    }
}

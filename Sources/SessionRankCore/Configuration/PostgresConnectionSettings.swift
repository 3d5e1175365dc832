import Foundation

/// The parts of a `postgres://user:password@host:port/database` URL that PostgresNIO needs.
public struct PostgresConnectionSettings: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String

    public init(url: String, field: String = "postgres.url") throws {
        guard let components = URLComponents(string: url),
              let scheme = components.scheme, scheme == "postgres" || scheme == "postgresql",
              let host = components.host, !host.isEmpty
        else {
            throw ConfigurationError(field: field, "must be a URL like postgres://user:password@host:5432/database; got \"\(url)\"")
        }
        guard let username = components.user, !username.isEmpty else {
            throw ConfigurationError(field: field, "must name a user, as in postgres://user@host:5432/database")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty else {
            throw ConfigurationError(field: field, "must name a database, as in postgres://user@host:5432/database")
        }
        self.host = host
        self.port = components.port ?? 5432
        self.username = username
        self.password = components.password
        self.database = database
    }
}

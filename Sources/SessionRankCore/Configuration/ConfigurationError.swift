/// A configuration problem, always naming the field and what is allowed.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Dotted path of the offending field, e.g. `redis.poolSize`.
    public var field: String
    public var message: String

    public init(field: String, _ message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}

/// An error from the Redis client. ``code`` says what kind of failure it is; ``message`` says what
/// happened and what to do about it; ``serverMessage`` holds the server's own error text when
/// Redis answered with an error reply.
public struct RedisError: Error, Sendable, Hashable {
    /// The kind of failure. New codes may be added, so `switch` over it with a `default` case.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: String, Hashable, Sendable {
            case serverError
            case commandTimedOut
            case connectionUnavailable
            case connectionClosed
            case protocolError
            case authenticationFailed
            case clientNotRunning
            case clientShutdown
            case clientAlreadyStarted
            case invalidConfiguration
            case invalidCommand
            case unexpectedReply
            case crossSlot
        }

        private let kind: Kind

        /// Redis answered the command with an error reply (see ``RedisError/serverMessage``).
        public static let serverError = Code(kind: .serverError)
        /// Redis did not answer within the command timeout; the connection was reset.
        public static let commandTimedOut = Code(kind: .commandTimedOut)
        /// No connection to Redis could be used (the server is down or unreachable).
        public static let connectionUnavailable = Code(kind: .connectionUnavailable)
        /// The connection closed while the command was in flight; it may or may not have run.
        public static let connectionClosed = Code(kind: .connectionClosed)
        /// The server sent bytes that are not valid RESP.
        public static let protocolError = Code(kind: .protocolError)
        /// `AUTH` or `SELECT` failed while opening a connection.
        public static let authenticationFailed = Code(kind: .authenticationFailed)
        /// The client's `run()` has not been started, so it has no connections.
        public static let clientNotRunning = Code(kind: .clientNotRunning)
        /// The client has shut down.
        public static let clientShutdown = Code(kind: .clientShutdown)
        /// `run()` was called on a client that has already been started; a client runs once.
        public static let clientAlreadyStarted = Code(kind: .clientAlreadyStarted)
        /// The configuration or URL is invalid.
        public static let invalidConfiguration = Code(kind: .invalidConfiguration)
        /// The command cannot be sent (e.g. it has no name).
        public static let invalidCommand = Code(kind: .invalidCommand)
        /// Redis answered with a reply of a type the caller did not expect.
        public static let unexpectedReply = Code(kind: .unexpectedReply)
        /// With a Redis Cluster: the keys of one command (or one `MULTI` batch) hash to different
        /// slots, so no single node can run it. Nothing was sent; the message names the keys.
        public static let crossSlot = Code(kind: .crossSlot)

        public var description: String { kind.rawValue }
    }

    public let code: Code
    /// What happened and what to do about it.
    public let message: String
    /// The server's error text verbatim, e.g. `ERR value is not an integer or out of range`.
    public let serverMessage: String?

    public init(code: Code, message: String, serverMessage: String? = nil) {
        self.code = code
        self.message = message
        self.serverMessage = serverMessage
    }

    /// The error kind that starts the server's text (`ERR`, `WRONGTYPE`, `NOSCRIPT`, `MOVED`, …).
    public var serverErrorPrefix: Substring? {
        serverMessage.map { $0.prefix { $0 != " " } }
    }

    static func server(_ text: String) -> RedisError {
        RedisError(code: .serverError, message: "Redis rejected the command: \(text)", serverMessage: text)
    }
}

extension RedisError: CustomStringConvertible {
    public var description: String { "RedisError.\(code): \(message)" }
}

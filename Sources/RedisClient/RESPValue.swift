/// One reply from Redis, as hiredis parsed it.
///
/// hiredis reports the RESP2 null bulk string (`$-1`) and the null array (`*-1`) the same way,
/// so both arrive as ``null``.
public enum RESPValue: Sendable, Hashable {
    /// A status reply such as `OK` or `PONG`.
    case simpleString(String)
    /// An error reply; the text starts with the error kind, e.g. `ERR …`, `WRONGTYPE …`, `NOSCRIPT …`.
    case error(String)
    case integer(Int)
    /// A binary-safe bulk string.
    case bulkString([UInt8])
    case array([RESPValue])
    /// A null bulk string or null array (e.g. `GET` of a missing key).
    case null
}

extension RESPValue {
    /// The text of a simple or bulk string (bulk bytes decoded as UTF-8, invalid sequences repaired).
    public var string: String? {
        switch self {
        case .simpleString(let text): text
        case .bulkString(let bytes): String(decoding: bytes, as: UTF8.self)
        default: nil
        }
    }

    /// The raw bytes of a bulk string, or the UTF-8 of a simple string.
    public var bytes: [UInt8]? {
        switch self {
        case .bulkString(let bytes): bytes
        case .simpleString(let text): Array(text.utf8)
        default: nil
        }
    }

    /// An integer reply, or a string reply that holds a decimal integer (as `GET` of a counter does).
    public var int: Int? {
        switch self {
        case .integer(let value): value
        case .bulkString, .simpleString: string.flatMap { Int($0) }
        default: nil
        }
    }

    /// A string reply that holds a floating point number (as `ZSCORE` or `INCRBYFLOAT` return).
    public var double: Double? {
        switch self {
        case .integer(let value): Double(value)
        case .bulkString, .simpleString: string.flatMap { Double($0) }
        default: nil
        }
    }

    public var array: [RESPValue]? {
        if case .array(let elements) = self { elements } else { nil }
    }

    public var isNull: Bool {
        if case .null = self { true } else { false }
    }

    /// The server's error text when this is an error reply.
    public var errorMessage: String? {
        if case .error(let message) = self { message } else { nil }
    }
}

extension RESPValue: CustomStringConvertible {
    public var description: String {
        switch self {
        case .simpleString(let text): "+\(text)"
        case .error(let message): "-\(message)"
        case .integer(let value): ":\(value)"
        case .bulkString(let bytes): "\"\(String(decoding: bytes, as: UTF8.self))\""
        case .array(let elements): "[\(elements.map(\.description).joined(separator: ", "))]"
        case .null: "(nil)"
        }
    }
}

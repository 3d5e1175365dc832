/// A command and its arguments, kept as one contiguous byte array plus the length of each
/// argument, so it can be handed to hiredis' formatter without a copy per argument.
///
///     let set: RedisCommand = ["SET", key, value]
///     let incr = RedisCommand("INCRBY", key, 5)
public struct RedisCommand: Sendable, Hashable, ExpressibleByArrayLiteral {
    private(set) var bytes: [UInt8] = []
    private(set) var argumentLengths: [Int] = []

    public init<each Argument: RedisArgument>(_ name: String, _ arguments: repeat each Argument) {
        append(name)
        repeat append(each arguments)
    }

    public init(_ name: String, arguments: [any RedisArgument]) {
        append(name)
        for argument in arguments { append(argument) }
    }

    public init(arrayLiteral elements: any RedisArgument...) {
        for element in elements { append(element) }
    }

    public mutating func append(_ argument: some RedisArgument) {
        let before = bytes.count
        argument.appendRedisArgumentBytes(to: &bytes)
        argumentLengths.append(bytes.count - before)
    }

    public mutating func append(contentsOf arguments: [any RedisArgument]) {
        for argument in arguments { append(argument) }
    }

    public var argumentCount: Int { argumentLengths.count }

    /// The command name (first argument), for logs and error messages.
    public var name: String {
        guard let length = argumentLengths.first else { return "" }
        return String(decoding: bytes[0..<length], as: UTF8.self)
    }
}

/// Why a snapshot could not be read or written. `code` is extensible; `message` says what to do.
public struct SnapshotError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        public static let io = Code(name: "io")
        public static let notASnapshot = Code(name: "notASnapshot")
        public static let unsupportedVersion = Code(name: "unsupportedVersion")
        public static let checksumMismatch = Code(name: "checksumMismatch")
        public static let truncated = Code(name: "truncated")
        public static let corrupt = Code(name: "corrupt")
        public var description: String { name }
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "snapshot error (\(code)): \(message)" }
}

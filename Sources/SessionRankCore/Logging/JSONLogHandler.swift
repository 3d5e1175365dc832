import Foundation
import Logging

/// Writes one JSON object per line to standard output (or another sink), the format log
/// collectors expect. Hummingbird puts `hb.request.id` in the metadata of every request's
/// logger, so each line of a request carries its id. Metadata passes `LogRedaction` first.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    private let label: String
    private let redaction: LogRedaction
    private let write: @Sendable (Data) -> Void

    /// `write` gets each line with its newline; one call per line keeps lines from concurrent tasks whole.
    public init(
        label: String, level: Logger.Level, redaction: LogRedaction = LogRedaction(),
        write: @escaping @Sendable (Data) -> Void = { FileHandle.standardOutput.write($0) }
    ) {
        self.label = label
        self.logLevel = level
        self.redaction = redaction
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields = metadata
        if let explicitMetadata = event.metadata { fields.merge(explicitMetadata) { _, new in new } }
        var object: [String: Any] = [
            "time": Self.timestamp(),
            "level": event.level.rawValue,
            "logger": label,
            "message": event.message.description,
        ]
        if let error = event.error { object["error"] = String(describing: error) }
        for (key, value) in redaction.redact(fields) {
            object[key] = Self.jsonValue(value)
        }
        guard var data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        else { return }
        data.append(0x0A)
        write(data)
    }

    private static func jsonValue(_ value: Logger.MetadataValue) -> Any {
        switch value {
        case .string(let string): return string
        case .stringConvertible(let convertible): return convertible.description
        case .array(let array): return array.map(jsonValue)
        case .dictionary(let dictionary): return dictionary.mapValues(jsonValue)
        }
    }

    private static func timestamp() -> String {
        Date.now.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }
}

/// Applies `LogRedaction` to the metadata of another handler (the `text` format).
public struct RedactingLogHandler<Base: LogHandler>: LogHandler {
    private var base: Base
    private let redaction: LogRedaction

    public init(_ base: Base, redaction: LogRedaction) {
        self.base = base
        self.redaction = redaction
    }

    public var logLevel: Logger.Level {
        get { base.logLevel }
        set { base.logLevel = newValue }
    }

    public var metadata: Logger.Metadata {
        get { base.metadata }
        set { base.metadata = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { base[metadataKey: key] }
        set { base[metadataKey: key] = newValue }
    }

    public func log(event: LogEvent) {
        var event = event
        var fields = base.metadata
        if let explicit = event.metadata { fields.merge(explicit) { _, new in new } }
        event.metadata = redaction.redact(fields)
        // The base must not add its own unredacted copy, so it logs through a copy without any.
        var clean = base
        clean.metadata = [:]
        clean.log(event: event)
    }
}

/// What never reaches a log line as it is. Secrets and birth dates (`authorization`, `token`,
/// `password`, `secret`, `birth…`) are dropped; ids of people and sessions (`userId`, `user`,
/// `sessionId`, `session`, `deviceId`, `device`) are replaced by their pseudonym, so lines can
/// still be joined. Code that logs about a visitor should pass the pseudonym itself; this is
/// the net under it.
public struct LogRedaction: Sendable {
    let pseudonymizer: Pseudonymizer

    public init(pseudonymizer: Pseudonymizer = Pseudonymizer(secret: ServiceConfiguration().privacy.pseudonymSecret)) {
        self.pseudonymizer = pseudonymizer
    }

    static func isSensitive(_ key: String) -> Bool {
        let lowered = key.lowercased()
        return lowered.contains("authorization") || lowered.contains("token") || lowered.contains("password")
            || lowered.contains("secret") || lowered.contains("birth")
    }

    static let identifyingKeys: Set<String> = ["userid", "user", "user_id", "sessionid", "session", "session_id", "deviceid", "device_id"]

    static func isIdentifying(_ key: String) -> Bool { identifyingKeys.contains(key.lowercased()) }

    func redact(_ metadata: Logger.Metadata) -> Logger.Metadata {
        var result: Logger.Metadata = [:]
        for (key, value) in metadata where !Self.isSensitive(key) {
            result[key] = Self.isIdentifying(key) ? pseudonymize(value) : value
        }
        return result
    }

    private func pseudonymize(_ value: Logger.MetadataValue) -> Logger.MetadataValue {
        switch value {
        case .array(let values): return .array(values.map(pseudonymize))
        case .dictionary(let values): return .dictionary(values.mapValues(pseudonymize))
        case .string(let text): return .string(pseudonym(text))
        case .stringConvertible(let value): return .string(pseudonym(value.description))
        }
    }

    /// Already a pseudonym (`p_` and 24 hex digits): kept, so code may pass pseudonyms itself.
    private func pseudonym(_ text: String) -> String {
        if text.utf8.count == 26, text.hasPrefix("p_"), text.utf8.dropFirst(2).allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) {
            return text
        }
        return pseudonymizer.pseudonym(for: text)
    }
}

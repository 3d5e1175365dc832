import Foundation
import Logging

/// Writes one JSON object per line to standard output, the format log collectors expect.
/// Hummingbird puts `hb.request.id` in the metadata of every request's logger, so each line
/// of a request carries its id.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    private let label: String

    public init(label: String, level: Logger.Level) {
        self.label = label
        self.logLevel = level
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
        for (key, value) in fields where LogRedaction.isSensitive(key) == false {
            object[key] = Self.jsonValue(value)
        }
        guard var data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        else { return }
        data.append(0x0A)
        // One write per line keeps lines from concurrent tasks whole.
        FileHandle.standardOutput.write(data)
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

/// Keys whose values must never reach a log line.
enum LogRedaction {
    static func isSensitive(_ key: String) -> Bool {
        let lowered = key.lowercased()
        return lowered.contains("authorization") || lowered.contains("token") || lowered.contains("password")
            || lowered.contains("birth")
    }
}

/// Builds small JSON documents by hand: request bodies are built thousands of times per
/// second, and JSONEncoder would make the client, not the service, the bottleneck.
public struct JSONText: Sendable {
    public private(set) var text = "{"
    private var first = true

    public init() {}

    public mutating func field(_ key: String, _ value: String?) {
        guard let value else { return }
        separator(key)
        Self.appendQuoted(value, to: &text)
    }

    public mutating func field(_ key: String, _ value: Int?) {
        guard let value else { return }
        separator(key)
        text += String(value)
    }

    public mutating func field(_ key: String, raw: String) {
        separator(key)
        text += raw
    }

    public func closed() -> String { text + "}" }

    private mutating func separator(_ key: String) {
        if !first { text += "," }
        first = false
        Self.appendQuoted(key, to: &text)
        text += ":"
    }

    public static func appendQuoted(_ value: String, to text: inout String) {
        text += "\""
        // Ids, types and timestamps never need escaping: append them whole.
        if !value.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            text += value
            text += "\""
            return
        }
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }
}

/// Appends JSON to a byte buffer. For records written on every request (served lists), where
/// Foundation's `JSONEncoder` cost more CPU than ranking them; the output decodes with
/// `JSONDecoder` into the same `Codable` types.
package struct JSONBytesWriter {
    package private(set) var bytes: [UInt8] = []
    private var needsComma = false

    package init(capacity: Int = 512) {
        bytes.reserveCapacity(capacity)
    }

    package mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    /// An object as the value of `key`.
    package mutating func beginObject(_ key: String) {
        self.key(key)
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    package mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    package mutating func beginArray(_ key: String) {
        self.key(key)
        bytes.append(UInt8(ascii: "["))
        needsComma = false
    }

    package mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    package mutating func field(_ key: String, _ value: String) {
        self.key(key)
        appendString(value)
        needsComma = true
    }

    package mutating func field(_ key: String, _ value: String?) {
        if let value { field(key, value) }
    }

    package mutating func field(_ key: String, _ value: Int) {
        self.key(key)
        bytes.append(contentsOf: String(value).utf8)
        needsComma = true
    }

    package mutating func field(_ key: String, _ value: Int?) {
        if let value { field(key, value) }
    }

    /// Non-finite numbers have no JSON form; they are written as 0 (features are finite by
    /// construction, so this only guards the record's validity).
    package mutating func field(_ key: String, _ value: Double) {
        self.key(key)
        bytes.append(contentsOf: (value.isFinite ? value : 0).description.utf8)
        needsComma = true
    }

    package mutating func field(_ key: String, _ value: Double?) {
        if let value { field(key, value) }
    }

    package mutating func field(_ key: String, _ value: Bool) {
        self.key(key)
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
        needsComma = true
    }

    /// A string element of the enclosing array.
    package mutating func element(_ value: String) {
        separate()
        appendString(value)
        needsComma = true
    }

    private mutating func key(_ key: String) {
        separate()
        appendString(key)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    private mutating func appendString(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        // Ids, names and codes rarely need escaping: copy them whole, scanning the contiguous
        // bytes (iterating a String's UTF-8 view is several times slower).
        let copied = value.utf8.withContiguousStorageIfAvailable { text -> Bool in
            for byte in text where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { return false }
            bytes.append(contentsOf: text)
            return true
        }
        if copied == true {
            bytes.append(UInt8(ascii: "\""))
            return
        }
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

import Foundation

/// A strict RFC 8259 parser into ``JSONValue`` for the event endpoint, the busiest body parser.
/// `JSONDecoder` into `JSONValue` tried each case in turn and threw on every miss; that cost more
/// than the rest of an event's work in the service. It rejects what `JSONDecoder` rejects: invalid
/// UTF-8, raw control characters, lone surrogates, numbers beyond a double, trailing content. A
/// field that appears twice in one object is rejected too, since either value could be meant.
package struct JSONParser {
    /// Why a body is not JSON, and the byte offset where that became clear.
    package struct Failure: Error, Equatable, CustomStringConvertible {
        let message: String
        let offset: Int

        package var description: String { "\(message) at byte \(offset)" }
    }

    /// Deeper nesting is refused before the recursion could exhaust a thread's stack; the same
    /// limit as `JSONDecoder`, so a deep value inside a field is still reported by its field name.
    static let maxDepth = 512

    package static func parse(_ data: Data) throws(Failure) -> JSONValue {
        let result = data.withUnsafeBytes { bytes in
            Result { () throws(Failure) -> JSONValue in
                var cursor = Cursor(bytes: bytes)
                // A UTF-8 byte order mark is skipped, as JSONDecoder does.
                if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { cursor.index = 3 }
                let value = try cursor.value()
                cursor.skipWhitespace()
                guard cursor.index == bytes.count else { throw cursor.failure("unexpected content after the JSON value") }
                return value
            }
        }
        return try result.get()
    }
}

private struct Cursor {
    let bytes: UnsafeRawBufferPointer
    var index = 0
    var depth = 0

    init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// The byte at the cursor, or nil at the end.
    var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    func failure(_ message: String) -> JSONParser.Failure { JSONParser.Failure(message: message, offset: index) }

    func unexpected(_ expected: String) -> JSONParser.Failure {
        guard let byte = current else { return failure("ends where \(expected) was expected") }
        let shown = byte >= 0x20 && byte < 0x7F ? "'\(Character(Unicode.Scalar(byte)))'" : String(format: "byte 0x%02X", byte)
        return failure("unexpected \(shown) where \(expected) was expected")
    }

    mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
    }

    mutating func value() throws(JSONParser.Failure) -> JSONValue {
        skipWhitespace()
        guard let byte = current else { throw unexpected("a value") }
        switch byte {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw unexpected("a value")
        }
    }

    private mutating func enter() throws(JSONParser.Failure) {
        depth += 1
        guard depth <= JSONParser.maxDepth else { throw failure("nests arrays and objects deeper than \(JSONParser.maxDepth) levels") }
        index += 1
    }

    /// Past the closing bracket of the array or object that `enter()` opened.
    private mutating func leave() {
        depth -= 1
        index += 1
    }

    private mutating func object() throws(JSONParser.Failure) -> JSONValue {
        try enter()
        var fields: [String: JSONValue] = [:]
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            leave()
            return .object(fields)
        }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw unexpected("a field name in double quotes") }
            let keyOffset = index
            let key = try string()
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw unexpected("':' after a field name") }
            index += 1
            let value = try value()
            guard fields.updateValue(value, forKey: key) == nil else {
                throw JSONParser.Failure(message: "repeats the field \"\(key)\" in one object", offset: keyOffset)
            }
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","):
                index += 1
            case UInt8(ascii: "}"):
                leave()
                return .object(fields)
            default:
                throw unexpected("',' or '}'")
            }
        }
    }

    private mutating func array() throws(JSONParser.Failure) -> JSONValue {
        try enter()
        var elements: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            leave()
            return .array(elements)
        }
        while true {
            elements.append(try value())
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","):
                index += 1
            case UInt8(ascii: "]"):
                leave()
                return .array(elements)
            default:
                throw unexpected("',' or ']'")
            }
        }
    }

    private mutating func literal(_ word: StaticString, _ value: JSONValue) throws(JSONParser.Failure) -> JSONValue {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count,
            memcmp(bytes.baseAddress! + index, word.utf8Start, count) == 0
        else { throw unexpected("a value") }
        index += count
        return value
    }

    /// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
    private mutating func number() throws(JSONParser.Failure) -> Double {
        let start = index
        if current == UInt8(ascii: "-") { index += 1 }
        if current == UInt8(ascii: "0") {
            index += 1
        } else {
            guard try digits() > 0 else { throw unexpected("a digit") }
        }
        if current == UInt8(ascii: ".") {
            index += 1
            guard try digits() > 0 else { throw unexpected("a digit after the decimal point") }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            guard try digits() > 0 else { throw unexpected("a digit in the exponent") }
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let number = Double(text), number.isFinite else {
            throw JSONParser.Failure(message: "number \(text) does not fit in a double", offset: start)
        }
        return number
    }

    private mutating func digits() throws(JSONParser.Failure) -> Int {
        let start = index
        while let byte = current, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { index += 1 }
        return index - start
    }

    /// A string from the opening quote to past the closing one. Runs without escapes are copied
    /// whole; the result must be valid UTF-8.
    private mutating func string() throws(JSONParser.Failure) -> String {
        let start = index
        index += 1
        var runStart = index
        var decoded: [UInt8]?
        while true {
            guard let byte = current else { throw JSONParser.Failure(message: "ends inside a string", offset: start) }
            switch byte {
            case UInt8(ascii: "\""):
                let run = UnsafeRawBufferPointer(rebasing: bytes[runStart..<index])
                index += 1
                let text: String?
                if var buffer = decoded {
                    buffer.append(contentsOf: run)
                    text = String(validating: buffer, as: UTF8.self)
                } else {
                    text = String(validating: run, as: UTF8.self)
                }
                guard let text else { throw JSONParser.Failure(message: "string is not valid UTF-8", offset: start) }
                return text
            case UInt8(ascii: "\\"):
                var buffer = decoded ?? []
                buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[runStart..<index]))
                try escape(into: &buffer)
                decoded = buffer
                runStart = index
            case 0..<0x20:
                throw failure(String(format: "raw control character 0x%02X in a string; escape it", byte))
            default:
                index += 1
            }
        }
    }

    /// One escape sequence, starting at the backslash.
    private mutating func escape(into buffer: inout [UInt8]) throws(JSONParser.Failure) {
        index += 1
        guard let byte = current else { throw unexpected("an escape character") }
        let simple: UInt8? =
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): byte
            case UInt8(ascii: "b"): 0x08
            case UInt8(ascii: "f"): 0x0C
            case UInt8(ascii: "n"): 0x0A
            case UInt8(ascii: "r"): 0x0D
            case UInt8(ascii: "t"): 0x09
            default: nil
            }
        if let simple {
            buffer.append(simple)
            index += 1
            return
        }
        guard byte == UInt8(ascii: "u") else { throw unexpected("one of \" \\ / b f n r t u after a backslash") }
        let escapeStart = index - 1
        var scalar = try hexQuad()
        if (0xD800...0xDBFF).contains(scalar) {
            // A high surrogate must be followed by an escaped low one; together they name one scalar.
            guard current == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u") else {
                throw JSONParser.Failure(message: "lone surrogate \\u\(String(scalar, radix: 16)) in a string", offset: escapeStart)
            }
            index += 1
            let low = try hexQuad()
            guard (0xDC00...0xDFFF).contains(low) else {
                throw JSONParser.Failure(message: "lone surrogate \\u\(String(scalar, radix: 16)) in a string", offset: escapeStart)
            }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00...0xDFFF).contains(scalar) {
            throw JSONParser.Failure(message: "lone surrogate \\u\(String(scalar, radix: 16)) in a string", offset: escapeStart)
        }
        // Surrogates are handled above, so every remaining value is a scalar.
        UTF8.encode(Unicode.Scalar(scalar)!) { buffer.append($0) }
    }

    /// `u` and four hex digits, starting at the `u`.
    private mutating func hexQuad() throws(JSONParser.Failure) -> UInt32 {
        index += 1
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = current else { throw unexpected("a hex digit") }
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw unexpected("a hex digit")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }
}

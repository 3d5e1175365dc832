import Foundation
import Recommender
import Testing

@testable import RecommendationServer
@testable import SessionRankAdapters
@testable import SessionRankCore

/// The hand-written parser behind the event endpoint must read what Foundation reads, the same
/// way, and refuse what Foundation refuses, with the offset of the problem.
struct JSONParserTests {
    /// Foundation's reading of a document, in the parser's terms.
    func foundationValue(_ data: Data) throws -> JSONValue {
        func convert(_ any: Any) -> JSONValue {
            switch any {
            case is NSNull: return .null
            // Booleans come back as NSNumber subclasses that also cast to Bool; tell them by type.
            case let number as NSNumber where "\(type(of: number))".contains("Boolean"): return .bool(number.boolValue)
            case let number as NSNumber: return .number(number.doubleValue)
            case let string as String: return .string(string)
            case let array as [Any]: return .array(array.map(convert))
            case let object as [String: Any]: return .object(object.mapValues(convert))
            default: fatalError("unexpected \(type(of: any))")
            }
        }
        return convert(try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]))
    }

    /// A random document: nested objects and arrays, escapes, non-ASCII text, awkward numbers.
    func randomDocument(_ random: inout SeededGenerator, depth: Int = 0) -> String {
        let strings = [
            "", "plain", "quote \\\" inside", "back\\\\slash", "tab\\tnew\\nline", "\\u00e9t\\u00E9", "caf\u{e9}", "\u{1F600} emoji",
            "\\ud83d\\ude00 pair", "slash \\/ solidus", "ctl \\u0001 \\b\\f\\r",
        ]
        let numbers = ["0", "-0", "1", "-17", "3.25", "1e3", "2.5E-3", "-1.5e+10", "123456789012345678", "0.1", "1e-320"]
        let pick = Int(random.next() % (depth > 4 ? 5 : 7))
        switch pick {
        case 0: return "null"
        case 1: return random.next() % 2 == 0 ? "true" : "false"
        case 2, 3: return numbers[Int(random.next() % UInt64(numbers.count))]
        case 4: return "\"" + strings[Int(random.next() % UInt64(strings.count))] + "\""
        case 5:
            let count = Int(random.next() % 4)
            return "[ " + (0..<count).map { _ in randomDocument(&random, depth: depth + 1) }.joined(separator: " ,\n") + "]"
        default:
            let count = Int(random.next() % 4)
            let fields = (0..<count).map { index in "\"k\(index)-\(strings[index % strings.count])\" :\t" + randomDocument(&random, depth: depth + 1) }
            return "{" + fields.joined(separator: ",") + " }"
        }
    }

    @Test("2,000 generated documents read the same as with JSONSerialization")
    func agreesWithFoundation() throws {
        var random = SeededGenerator(seed: 2026)
        for _ in 0..<2_000 {
            let text = randomDocument(&random)
            let data = Data(text.utf8)
            #expect(try JSONParser.parse(data) == foundationValue(data), "\(text)")
        }
    }

    @Test("an event body reads into its fields")
    func eventBody() throws {
        let body = Data(#"{"eventId":"e-1","type":"product_view","sessionId":"s-1","itemId":"p-\u00e9","position":3,"context":{"region":"DE"}}"#.utf8)
        guard case .object(let fields) = try JSONParser.parse(body) else {
            Issue.record("not an object")
            return
        }
        #expect(fields["itemId"] == .string("p-é"))
        #expect(fields["position"] == .number(3))
        #expect(fields["context"] == .object(["region": .string("DE")]))
    }

    @Test(
        "malformed bodies are refused with what was wrong and where",
        arguments: [
            ("", "ends where a value was expected", 0),
            ("{\"a\":1,}", "unexpected '}' where a field name in double quotes was expected", 7),
            ("[1,]", "unexpected ']' where a value was expected", 3),
            ("[1 2]", "unexpected '2' where ',' or ']' was expected", 3),
            ("{\"a\" 1}", "unexpected '1' where ':' after a field name was expected", 5),
            ("\"open", "ends inside a string", 0),
            ("\"a\u{01}b\"", "raw control character 0x01 in a string; escape it", 2),
            ("\"\\x\"", "unexpected 'x' where one of \" \\ / b f n r t u after a backslash was expected", 2),
            ("\"\\u12G4\"", "unexpected 'G' where a hex digit was expected", 5),
            ("\"\\ud800\"", "lone surrogate \\ud800 in a string", 1),
            ("\"\\ud800\\u0041\"", "lone surrogate \\ud800 in a string", 1),
            ("\"\\udc00\"", "lone surrogate \\udc00 in a string", 1),
            ("01", "unexpected content after the JSON value", 1),
            ("-", "ends where a digit was expected", 1),
            ("1.", "ends where a digit after the decimal point was expected", 2),
            ("1e+", "ends where a digit in the exponent was expected", 3),
            ("1e400", "number 1e400 does not fit in a double", 0),
            ("tru", "unexpected 't' where a value was expected", 0),
            ("nul", "unexpected 'n' where a value was expected", 0),
            ("{} x", "unexpected content after the JSON value", 3),
            ("{\"a\":1,\"a\":2}", "repeats the field \"a\" in one object", 7),
        ])
    func refusals(text: String, message: String, offset: Int) {
        #expect(throws: JSONParser.Failure(message: message, offset: offset)) { try JSONParser.parse(Data(text.utf8)) }
    }

    @Test("a leading UTF-8 byte order mark is skipped")
    func byteOrderMark() throws {
        #expect(try JSONParser.parse(Data([0xEF, 0xBB, 0xBF] + Array(#"{"a":[1]}"#.utf8))) == .object(["a": .array([.number(1)])]))
    }

    @Test("invalid UTF-8 inside a string is refused")
    func invalidUTF8() {
        var bytes = Array(#"{"q":"ab"#.utf8)
        bytes += [0xC3, 0x28]
        bytes += Array(#""}"#.utf8)
        #expect(throws: JSONParser.Failure(message: "string is not valid UTF-8", offset: 5)) { try JSONParser.parse(Data(bytes)) }
    }

    @Test("nesting is limited without exhausting the stack; the limit itself is allowed")
    func depth() throws {
        let limit = JSONParser.maxDepth
        let deepest = String(repeating: "[", count: limit) + String(repeating: "]", count: limit)
        #expect(throws: Never.self) { try JSONParser.parse(Data(deepest.utf8)) }
        let tooDeep = String(repeating: "[", count: 100_000)
        #expect(throws: JSONParser.Failure(message: "nests arrays and objects deeper than \(limit) levels", offset: limit)) {
            try JSONParser.parse(Data(tooDeep.utf8))
        }
    }
}

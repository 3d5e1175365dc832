/// The parts of a `POST /v1/events` answer the harness checks:
/// `{"accepted":N,"duplicates":N,"rejected":[{"index":…},…],"degraded":false}`.
/// Read with a byte scan, not JSONDecoder: thousands of answers a second must not make the
/// client the bottleneck.
public struct EventsAnswer: Sendable, Equatable {
    public var accepted: Int
    public var duplicates: Int
    /// Rejected events (entries of `rejected`).
    public var rejected: Int
    public var degraded: Bool

    public init(accepted: Int, duplicates: Int = 0, rejected: Int = 0, degraded: Bool = false) {
        self.accepted = accepted
        self.duplicates = duplicates
        self.rejected = rejected
        self.degraded = degraded
    }

    /// Nil when the body has no `accepted` count.
    public static func parse(_ body: some Collection<UInt8>) -> EventsAnswer? {
        let bytes = Array(body)
        guard let accepted = integer(after: "\"accepted\"", in: bytes) else { return nil }
        return EventsAnswer(
            accepted: accepted,
            duplicates: integer(after: "\"duplicates\"", in: bytes) ?? 0,
            rejected: occurrences(of: "\"index\"", in: bytes),
            degraded: literal(after: "\"degraded\"", in: bytes) == "true")
    }

    /// How a 2xx answer to a request of `sent` events counts. Every event the harness sends is
    /// valid and new, so anything but "all accepted, none rejected or repeated, session state
    /// updated" means the harness and the service disagree, or the service cut a corner.
    public func outcome(sent: Int) -> Outcome {
        if rejected > 0 { return .failure("events_rejected") }
        if accepted != sent { return .failure("events_accepted_mismatch") }
        if duplicates > 0 { return .failure("events_duplicates") }
        if degraded { return .failure("events_degraded") }
        return .success
    }

    /// The outcome of a 2xx events answer body.
    public static func outcome(body: some Collection<UInt8>, sent: Int) -> Outcome {
        guard let answer = parse(body) else { return .failure("events_bad_answer") }
        return answer.outcome(sent: sent)
    }

    private static func position(after key: String, in bytes: [UInt8]) -> Int? {
        let needle = Array(key.utf8)
        guard bytes.count >= needle.count else { return nil }
        var i = 0
        while i <= bytes.count - needle.count {
            if bytes[i] == needle[0], bytes[i..<(i + needle.count)].elementsEqual(needle) {
                var j = i + needle.count
                while j < bytes.count, bytes[j] == UInt8(ascii: " ") || bytes[j] == UInt8(ascii: "\t") || bytes[j] == UInt8(ascii: "\n") { j += 1 }
                guard j < bytes.count, bytes[j] == UInt8(ascii: ":") else { i += 1; continue }
                j += 1
                while j < bytes.count, bytes[j] == UInt8(ascii: " ") || bytes[j] == UInt8(ascii: "\t") || bytes[j] == UInt8(ascii: "\n") { j += 1 }
                return j
            }
            i += 1
        }
        return nil
    }

    private static func integer(after key: String, in bytes: [UInt8]) -> Int? {
        guard var j = position(after: key, in: bytes) else { return nil }
        var value = 0
        var digits = 0
        while j < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[j]), digits < 12 {
            value = value * 10 + Int(bytes[j] - UInt8(ascii: "0"))
            digits += 1
            j += 1
        }
        return digits > 0 ? value : nil
    }

    private static func literal(after key: String, in bytes: [UInt8]) -> String? {
        guard var j = position(after: key, in: bytes) else { return nil }
        var text = ""
        while j < bytes.count, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(bytes[j]), text.count < 5 {
            text.unicodeScalars.append(Unicode.Scalar(bytes[j]))
            j += 1
        }
        return text
    }

    private static func occurrences(of key: String, in bytes: [UInt8]) -> Int {
        let needle = Array(key.utf8)
        guard bytes.count >= needle.count else { return 0 }
        var count = 0
        var i = 0
        while i <= bytes.count - needle.count {
            if bytes[i] == needle[0], bytes[i..<(i + needle.count)].elementsEqual(needle) {
                count += 1
                i += needle.count
            } else {
                i += 1
            }
        }
        return count
    }
}

/// RFC 3339 UTC timestamps with milliseconds (`2026-11-23T09:30:00.250Z`) for event bodies,
/// formatted by hand: Foundation's formatters would cost more client CPU than the request.
public enum RFC3339Timestamp {
    public static func string(unixMilliseconds ms: Int64) -> String {
        let millis = Int(((ms % 1000) + 1000) % 1000)
        let seconds = (ms - Int64(millis)) / 1000
        var days = seconds / 86_400
        var rest = seconds - days * 86_400
        if rest < 0 { rest += 86_400; days -= 1 }
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T" + pad(rest / 3_600, 2) + ":" + pad(rest % 3_600 / 60, 2)
            + ":" + pad(rest % 60, 2) + "." + pad(Int64(millis), 3) + "Z"
    }
}

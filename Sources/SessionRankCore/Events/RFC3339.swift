import Foundation

/// RFC 3339 timestamps, e.g. `2026-11-23T09:30:00Z` or `2026-11-23T10:30:00.250+01:00`.
enum RFC3339 {
    static func parse(_ text: String) -> Double? {
        if let date = try? Date(text, strategy: .iso8601) { return date.timeIntervalSince1970 }
        let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        if let date = try? fractional.parse(text) { return date.timeIntervalSince1970 }
        return nil
    }
}

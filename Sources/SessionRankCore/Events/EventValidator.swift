import Foundation

/// Turns one decoded JSON object into a `StorefrontEvent`, or says which field is wrong and what
/// is allowed. Pure: the clock is passed in, so tests can pin it.
public struct EventValidator: Sendable {
    public var limits: EventLimits

    public init(limits: EventLimits = EventLimits()) {
        self.limits = limits
    }

    static let knownFields: Set<String> = [
        "eventId", "type", "sessionId", "deviceId", "userId", "requestId", "itemId", "recommendationId",
        "position", "timestamp", "dwellMs", "scrollDepth", "query", "context",
    ]
    static let knownContextFields: Set<String> = ["page", "device", "region", "entryPoint", "referrer"]

    /// A field problem; the batch decoder adds the index.
    package struct FieldError: Error, Equatable {
        package let field: String
        package let message: String

        package init(field: String, message: String) {
            self.field = field
            self.message = message
        }
    }

    func validate(_ value: JSONValue, now: Double) -> Result<StorefrontEvent, FieldError> {
        do {
            return .success(try event(from: value, now: now))
        } catch let error as FieldError {
            return .failure(error)
        } catch {
            return .failure(FieldError(field: "<event>", message: "\(error)"))
        }
    }

    private func event(from value: JSONValue, now: Double) throws -> StorefrontEvent {
        guard case .object(let fields) = value else {
            throw FieldError(field: "<event>", message: "must be a JSON object; got \(value.kind)")
        }
        if let unknown = fields.keys.sorted().first(where: { !Self.knownFields.contains($0) }) {
            throw FieldError(field: unknown, message: "is not a known field; known fields are \(Self.knownFields.sorted().joined(separator: ", "))")
        }
        let reader = FieldReader(fields: fields, prefix: "", limits: limits)

        let typeName = try reader.requiredString("type", maxLength: 32)
        guard let type = StorefrontEventType(rawValue: typeName) else {
            throw FieldError(
                field: "type",
                message: "must be one of \(StorefrontEventType.allCases.map(\.rawValue).joined(separator: ", ")); got \"\(typeName)\"")
        }
        var event = StorefrontEvent(
            eventId: try reader.requiredIdentifier("eventId"),
            type: type,
            sessionId: try reader.requiredIdentifier("sessionId"),
            timestamp: now
        )
        event.deviceId = try reader.optionalIdentifier("deviceId")
        event.userId = try reader.optionalIdentifier("userId")
        event.requestId = try reader.optionalIdentifier("requestId")
        event.itemId = try reader.optionalIdentifier("itemId")
        if type.requiresItem && event.itemId == nil {
            throw FieldError(field: "itemId", message: "is required for events of type \(type.rawValue)")
        }
        event.recommendationId = try reader.optionalIdentifier("recommendationId")
        event.position = try reader.optionalInteger("position", in: 1...1_000)
        if event.position != nil && event.recommendationId == nil {
            throw FieldError(field: "recommendationId", message: "is required when position is given")
        }
        if let timestamp = try reader.optionalTimestamp("timestamp") {
            if timestamp > now + limits.maxFutureSkewSeconds {
                throw FieldError(field: "timestamp", message: "is more than \(Int(limits.maxFutureSkewSeconds)) s in the future")
            }
            if timestamp < now - limits.maxAgeSeconds {
                throw FieldError(field: "timestamp", message: "is more than \(Int(limits.maxAgeSeconds / 3_600)) hours in the past")
            }
            event.timestamp = timestamp
        }
        event.dwellMilliseconds = try reader.optionalInteger("dwellMs", in: 0...86_400_000)
        event.scrollDepth = try reader.optionalNumber("scrollDepth", in: 0...1)
        event.query = try reader.optionalText("query", maxLength: limits.maxQueryLength)
        event.context = try context(fields["context"])
        return event
    }

    func context(_ value: JSONValue?) throws -> EventContext {
        guard let value, value != .null else { return EventContext() }
        guard case .object(let fields) = value else {
            throw FieldError(field: "context", message: "must be an object with page, device, region, entryPoint, referrer; got \(value.kind)")
        }
        if let unknown = fields.keys.sorted().first(where: { !Self.knownContextFields.contains($0) }) {
            throw FieldError(
                field: "context.\(unknown)",
                message: "is not a known field; known fields are \(Self.knownContextFields.sorted().joined(separator: ", "))")
        }
        let reader = FieldReader(fields: fields, prefix: "context.", limits: limits)
        var context = EventContext()
        context.page = try reader.optionalText("page", maxLength: limits.maxContextValueLength)
        context.device = try reader.optionalText("device", maxLength: limits.maxContextValueLength)
        if let region = try reader.optionalText("region", maxLength: limits.maxContextValueLength) {
            guard (2...8).contains(region.count), region.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "-") }) else {
                throw FieldError(field: "context.region", message: "must be an ISO 3166 code such as NL or US-CA; got \"\(region)\"")
            }
            context.region = region
        }
        context.entryPoint = try reader.optionalText("entryPoint", maxLength: limits.maxContextValueLength)
        context.referrer = try reader.optionalText("referrer", maxLength: limits.maxReferrerLength)
        return context
    }
}

/// Typed access to the fields of one JSON object, with errors that name the field.
package struct FieldReader {
    let fields: [String: JSONValue]
    let prefix: String
    let limits: EventLimits

    typealias FieldError = EventValidator.FieldError

    private func value(_ key: String) -> JSONValue? {
        guard let value = fields[key], value != .null else { return nil }
        return value
    }

    package func requiredString(_ key: String, maxLength: Int) throws -> String {
        guard let text = try optionalText(key, maxLength: maxLength) else {
            throw FieldError(field: prefix + key, message: "is required")
        }
        return text
    }

    package func requiredIdentifier(_ key: String) throws -> String {
        guard let id = try optionalIdentifier(key) else {
            throw FieldError(field: prefix + key, message: "is required")
        }
        return id
    }

    /// Ids go into Redis keys, Kafka keys and logs: printable ASCII without spaces only.
    package func optionalIdentifier(_ key: String) throws -> String? {
        guard let text = try optionalText(key, maxLength: limits.maxIdLength) else { return nil }
        guard text.utf8.allSatisfy(isIdentifierByte) else {
            throw FieldError(
                field: prefix + key,
                message: "must be 1 to \(limits.maxIdLength) printable ASCII characters without spaces or '|'")
        }
        return text
    }

    func optionalText(_ key: String, maxLength: Int) throws -> String? {
        guard let value = value(key) else { return nil }
        guard case .string(let text) = value else {
            throw FieldError(field: prefix + key, message: "must be a string; got \(value.kind)")
        }
        guard !text.isEmpty else {
            throw FieldError(field: prefix + key, message: "must not be empty; leave it out instead")
        }
        // Code points, as JSON Schema's maxLength counts them (openapi.yaml), not grapheme clusters.
        guard text.unicodeScalars.count <= maxLength else {
            throw FieldError(field: prefix + key, message: "must be at most \(maxLength) characters; got \(text.unicodeScalars.count)")
        }
        guard !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw FieldError(field: prefix + key, message: "must not contain control characters")
        }
        return text
    }

    package func optionalInteger(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let number = try optionalNumber(key, in: Double(range.lowerBound)...Double(range.upperBound)) else { return nil }
        guard number.rounded() == number else {
            throw FieldError(field: prefix + key, message: "must be a whole number from \(range.lowerBound) to \(range.upperBound); got \(number)")
        }
        return Int(number)
    }

    func optionalNumber(_ key: String, in range: ClosedRange<Double>) throws -> Double? {
        guard let value = value(key) else { return nil }
        guard case .number(let number) = value, number.isFinite else {
            throw FieldError(field: prefix + key, message: "must be a number from \(range.lowerBound.formatted()) to \(range.upperBound.formatted()); got \(value.kind)")
        }
        guard range.contains(number) else {
            throw FieldError(field: prefix + key, message: "must be from \(range.lowerBound.formatted()) to \(range.upperBound.formatted()); got \(number.formatted())")
        }
        return number
    }

    /// RFC 3339, with or without fractional seconds.
    package func optionalTimestamp(_ key: String) throws -> Double? {
        guard let text = try optionalText(key, maxLength: 40) else { return nil }
        guard let seconds = RFC3339.parse(text) else {
            throw FieldError(field: prefix + key, message: "must be an RFC 3339 time such as 2026-11-23T09:30:00Z; got \"\(text)\"")
        }
        return seconds
    }

    package init(fields: [String: JSONValue], prefix: String, limits: EventLimits) {
        self.fields = fields
        self.prefix = prefix
        self.limits = limits
    }
}

/// Ids go into Redis keys and members, Kafka keys and logs: printable ASCII without spaces, and
/// without `|`, which separates the fields of a session's recent-item entries in Redis.
package func isIdentifierByte(_ byte: UInt8) -> Bool {
    byte > 0x20 && byte < 0x7F && byte != UInt8(ascii: "|")
}

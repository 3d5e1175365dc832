import Foundation

/// Where on the storefront the list is shown; placements may rank differently.
public enum Placement: String, Sendable, CaseIterable, Codable {
    case home, product, cart, search
}

/// A validated /v1/recommend call, from the query string (GET) or a JSON body (POST).
public struct RecommendQuery: Sendable, Equatable {
    public var sessionId: String
    /// The product on screen; the call records a product_view of it.
    public var itemId: String?
    public var userId: String?
    public var requestId: String?
    public var placement: Placement = .home
    public var limit: Int
    public var debug = false
    public var exclude: Set<String> = []
    public var context = EventContext()

    public init(sessionId: String, limit: Int) {
        self.sessionId = sessionId
        self.limit = limit
    }

    static let queryFields: Set<String> = ["sessionId", "itemId", "userId", "requestId", "placement", "limit", "region", "device", "debug"]
    static let bodyFields: Set<String> = queryFields.union(["exclude", "context"])
    static let maxExclude = 500

    /// Parses the query string of `GET /v1/recommend`. Every value arrives as text.
    package static func parse(query: [(String, String)], limits: EventLimits, defaultLimit: Int, maxLimit: Int) throws(APIError) -> RecommendQuery {
        var fields: [String: JSONValue] = [:]
        for (name, value) in query {
            guard queryFields.contains(name) else {
                throw invalid(name, "is not a known parameter; known parameters are \(queryFields.sorted().joined(separator: ", "))")
            }
            guard fields[name] == nil else { throw invalid(name, "is given more than once") }
            switch name {
            case "limit":
                // Digits only: Double() would also take "1e2", "0x10" or "inf".
                guard let number = Int(value) else { throw invalid("limit", "must be a whole number from 1 to \(maxLimit); got \"\(value.prefix(32))\"") }
                fields[name] = .number(Double(number))
            case "debug":
                switch value.lowercased() {
                case "true", "1", "": fields[name] = .bool(true)
                case "false", "0": fields[name] = .bool(false)
                default: throw invalid("debug", "must be true or false; got \"\(value.prefix(32))\"")
                }
            default:
                fields[name] = .string(value)
            }
        }
        return try parse(fields: fields, limits: limits, defaultLimit: defaultLimit, maxLimit: maxLimit)
    }

    /// Parses the JSON body of `POST /v1/recommend`.
    package static func parse(body: Data, limits: EventLimits, defaultLimit: Int, maxLimit: Int) throws(APIError) -> RecommendQuery {
        let value: JSONValue
        do { value = try JSONParser.parse(body) } catch { throw APIError.invalidJSON(error) }
        guard case .object(let fields) = value else { throw invalid("<body>", "must be a JSON object; got \(value.kind)") }
        if let unknown = fields.keys.sorted().first(where: { !bodyFields.contains($0) }) {
            throw invalid(unknown, "is not a known field; known fields are \(bodyFields.sorted().joined(separator: ", "))")
        }
        return try parse(fields: fields, limits: limits, defaultLimit: defaultLimit, maxLimit: maxLimit)
    }

    private static func parse(fields: [String: JSONValue], limits: EventLimits, defaultLimit: Int, maxLimit: Int) throws(APIError) -> RecommendQuery {
        do {
            let reader = FieldReader(fields: fields, prefix: "", limits: limits)
            var query = RecommendQuery(
                sessionId: try reader.requiredIdentifier("sessionId"),
                limit: try reader.optionalInteger("limit", in: 1...maxLimit) ?? defaultLimit)
            query.itemId = try reader.optionalIdentifier("itemId")
            query.userId = try reader.optionalIdentifier("userId")
            query.requestId = try reader.optionalIdentifier("requestId")
            if let placement = try reader.optionalText("placement", maxLength: 32) {
                guard let known = Placement(rawValue: placement) else {
                    throw EventValidator.FieldError(
                        field: "placement", message: "must be one of \(Placement.allCases.map(\.rawValue).joined(separator: ", ")); got \"\(placement)\"")
                }
                query.placement = known
            }
            if let debug = fields["debug"], debug != .null {
                guard case .bool(let flag) = debug else { throw EventValidator.FieldError(field: "debug", message: "must be true or false") }
                query.debug = flag
            }
            query.context = try EventValidator(limits: limits).context(fields["context"])
            // Top-level region and device are shorthands for the context fields (GET has no objects).
            var shorthand: [String: JSONValue] = [:]
            if let region = fields["region"] { shorthand["region"] = region }
            if let device = fields["device"] { shorthand["device"] = device }
            if !shorthand.isEmpty {
                let top = try EventValidator(limits: limits).context(.object(shorthand))
                query.context.region = top.region ?? query.context.region
                query.context.device = top.device ?? query.context.device
            }
            if let exclude = fields["exclude"], exclude != .null {
                guard case .array(let ids) = exclude else {
                    throw EventValidator.FieldError(field: "exclude", message: "must be an array of item ids; got \(exclude.kind)")
                }
                guard ids.count <= maxExclude else {
                    throw EventValidator.FieldError(field: "exclude", message: "must have at most \(maxExclude) item ids; got \(ids.count)")
                }
                for (index, id) in ids.enumerated() {
                    let idReader = FieldReader(fields: ["id": id], prefix: "", limits: limits)
                    do {
                        if let text = try idReader.optionalIdentifier("id") { query.exclude.insert(text) }
                    } catch let error as EventValidator.FieldError {
                        throw EventValidator.FieldError(field: "exclude[\(index)]", message: error.message)
                    }
                }
            }
            return query
        } catch let error as EventValidator.FieldError {
            throw invalid(error.field, error.message)
        } catch {
            throw invalid("<body>", "\(error)")
        }
    }

    private static func invalid(_ field: String, _ message: String) -> APIError {
        APIError(status: .badRequest, code: "invalid_field", field: field, message: message)
    }
}

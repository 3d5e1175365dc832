import Foundation
import Hummingbird
import SessionRankCore

/// `GET|POST /v1/recommend` and `POST /v1/feedback`.
struct RecommendRoutes: Sendable {
    let service: RecommendationService
    let auth: StorefrontAuthenticator
    let feedback: any FeedbackPublisher
    let metrics: ServiceMetrics
    let limits: EventLimits
    let settings: ServiceConfiguration.RecommendSettings
    let maxBodyBytes: Int
    let pseudonymizer: Pseudonymizer

    func register(in router: Router<some RequestContext>) {
        router.get("/v1/recommend") { request, _ -> RecommendationResponse in
            let caller = try auth.caller(request)
            let pairs = request.uri.queryParameters.map { (String($0.key), String($0.value)) }
            let query = try RecommendQuery.parse(
                query: pairs, limits: limits, defaultLimit: settings.defaultLimit, maxLimit: settings.maxLimit)
            return await service.recommend(try Self.bind(query, to: caller))
        }
        router.post("/v1/recommend") { request, _ -> RecommendationResponse in
            let caller = try auth.caller(request)
            let body = try await request.collectBody(limit: maxBodyBytes)
            let query = try RecommendQuery.parse(body: body, limits: limits, defaultLimit: settings.defaultLimit, maxLimit: settings.maxLimit)
            return await service.recommend(try Self.bind(query, to: caller))
        }
        router.post("/v1/feedback") { request, _ -> EditedResponse<FeedbackAccepted> in
            let caller = try auth.caller(request)
            let body = try await request.collectBody(limit: min(maxBodyBytes, 65_536))
            let record = try FeedbackRequest.parse(
                body: body, limits: limits, now: Date().timeIntervalSince1970, pseudonymizer: pseudonymizer, caller: caller)
            feedback.publish(feedback: record)
            metrics.feedbackReceived[record.type]?.increment()
            return EditedResponse(status: .accepted, response: FeedbackAccepted(accepted: true, recommendationId: record.recommendationId))
        }
    }
}

extension RecommendRoutes {
    /// The query as the caller may ask it: the user from the visitor token, debug only for a viewer.
    static func bind(_ query: RecommendQuery, to caller: StorefrontCaller) throws(APIError) -> RecommendQuery {
        var query = query
        query.userId = try caller.user(sessionId: query.sessionId, userId: query.userId, requestId: query.requestId)
        if query.debug { try caller.allowDebug() }
        return query
    }
}

struct FeedbackAccepted: ResponseEncodable {
    var accepted: Bool
    var recommendationId: String
}


/// Validates the body of `POST /v1/feedback`.
enum FeedbackRequest {
    static let fields: Set<String> = ["recommendationId", "sessionId", "type", "itemId", "position", "timestamp"]

    /// The session id comes out pseudonymised unless the recommendation was personalised.
    /// Feedback names no user, but a visitor token still pins the session.
    static func parse(
        body: Data, limits: EventLimits, now: Double, pseudonymizer: Pseudonymizer, caller: StorefrontCaller = StorefrontCaller()
    ) throws(APIError) -> FeedbackRecord {
        let value: JSONValue
        do { value = try JSONParser.parse(body) } catch { throw APIError.invalidJSON(error) }
        guard case .object(let fields) = value else {
            throw APIError(status: .badRequest, code: "invalid_body", field: "<body>", message: "must be a JSON object; got \(value.kind)")
        }
        do {
            if let unknown = fields.keys.sorted().first(where: { !Self.fields.contains($0) }) {
                throw EventValidator.FieldError(field: unknown, message: "is not a known field; known fields are \(Self.fields.sorted().joined(separator: ", "))")
            }
            let reader = FieldReader(fields: fields, prefix: "", limits: limits)
            let typeName = try reader.requiredString("type", maxLength: 32)
            guard let type = FeedbackType(rawValue: typeName) else {
                throw EventValidator.FieldError(
                    field: "type", message: "must be one of \(FeedbackType.allCases.map(\.rawValue).joined(separator: ", ")); got \"\(typeName)\"")
            }
            let itemId = try reader.optionalIdentifier("itemId")
            if itemId == nil && type != .impression {
                throw EventValidator.FieldError(field: "itemId", message: "is required for feedback of type \(type.rawValue)")
            }
            var timestamp = now
            if let given = try reader.optionalTimestamp("timestamp") {
                guard given <= now + limits.maxFutureSkewSeconds, given >= now - limits.maxAgeSeconds else {
                    throw EventValidator.FieldError(
                        field: "timestamp", message: "must be within \(Int(limits.maxAgeSeconds / 3_600)) hours in the past and \(Int(limits.maxFutureSkewSeconds)) s in the future")
                }
                timestamp = given
            }
            let sessionId = try reader.requiredIdentifier("sessionId")
            _ = try caller.user(sessionId: sessionId, userId: nil, requestId: nil)
            return FeedbackRecord(
                recommendationId: try reader.requiredIdentifier("recommendationId"), sessionId: sessionId,
                type: type, itemId: itemId, position: try reader.optionalInteger("position", in: 1...1_000), timestamp: timestamp,
                source: "api", pseudonymizer: pseudonymizer)
        } catch let error as EventValidator.FieldError {
            throw APIError(status: .badRequest, code: "invalid_field", field: error.field, message: error.message)
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError(status: .badRequest, code: "invalid_body", field: "<body>", message: "\(error)")
        }
    }
}

import Foundation
import Hummingbird
import SessionRankAdapters
import SessionRankCore

/// Consent, export and erasure for users and sessions, plus a debugging view of a session.
/// They read or change personal data, so every call needs a bearer token of role `privacy`
/// (checked before anything else); each change is logged with the token's name and the
/// pseudonym of the id, never the id itself.
struct PrivacyRoutes: Sendable {
    let auth: AdminAuthenticator
    let sessions: any SessionStore
    let users: any UserStore
    let enricher: EventEnricher
    let sessionSettings: SessionSettings
    let pseudonymizer: Pseudonymizer
    /// Each store call of a privacy request gives up after this long.
    var budget: Duration = .seconds(5)

    static let consentBodyLimit = 4_096

    struct SessionView: ResponseEncodable {
        var session: SessionState
        /// Interests decayed to now, strongest first.
        var interestsNow: [Interest]
        struct Interest: Codable { var attribute: String; var weight: Double }
    }

    struct UserExport: ResponseEncodable {
        var userId: String
        var profile: UserProfile?
        var requests: [BackendRequest]
        var sessions: [SessionState]
    }

    struct Erasure: ResponseEncodable {
        var erasedSessions: [String]
        var erasedProfile: Bool?
    }

    func register(in router: Router<some RequestContext>) {
        router.get("/v1/sessions/{sessionId}") { request, context -> SessionView in
            _ = try auth.authorize(request, role: .privacy)
            let sessionId = try context.parameters.identifier("sessionId")
            let state = try await dependency { try await sessions.session(sessionId) }
            guard !state.isEmpty else {
                throw APIError(status: .notFound, code: "not_found", field: "sessionId", message: "no session with this id is stored")
            }
            let now = Date().timeIntervalSince1970
            let interests = state.interests(at: now, halfLifeSeconds: sessionSettings.interestHalfLifeSeconds)
                .sorted { ($0.value, $1.key) > ($1.value, $0.key) }
                .map { SessionView.Interest(attribute: $0.key, weight: $0.value) }
            return SessionView(session: state, interestsNow: interests)
        }

        router.delete("/v1/sessions/{sessionId}") { request, context -> Erasure in
            let actor = try auth.authorize(request, role: .privacy)
            let sessionId = try context.parameters.identifier("sessionId")
            let existed = try await dependency { try await sessions.deleteSession(sessionId) }
            context.logger.info("session erased", metadata: ["actor": "\(actor)", "session": "\(pseudonymizer.pseudonym(for: sessionId))"])
            return Erasure(erasedSessions: existed ? [sessionId] : [], erasedProfile: nil)
        }

        router.put("/v1/users/{userId}/consent") { request, context -> UserProfile in
            let actor = try auth.authorize(request, role: .privacy)
            let userId = try context.parameters.identifier("userId")
            let change = try ConsentChange.parse(body: try await request.collectBody(limit: Self.consentBodyLimit))
            let profile = try await dependency {
                try await users.setConsent(userId: userId, personalization: change.personalization, analytics: change.analytics)
            }
            enricher.invalidate(userId: userId)
            // Withdrawn consent: the sessions we hold for the user go at once.
            if change.personalization == false { _ = try await dependency { try await sessions.deleteUser(userId) } }
            context.logger.info("consent changed", metadata: [
                "actor": "\(actor)", "user": "\(pseudonymizer.pseudonym(for: userId))",
                "personalization": "\(change.personalization.map(String.init) ?? "unchanged")",
                "analytics": "\(change.analytics.map(String.init) ?? "unchanged")",
            ])
            return profile
        }

        router.get("/v1/users/{userId}/data") { request, context -> UserExport in
            let actor = try auth.authorize(request, role: .privacy)
            let userId = try context.parameters.identifier("userId")
            context.logger.info("user data exported", metadata: ["actor": "\(actor)", "user": "\(pseudonymizer.pseudonym(for: userId))"])
            let export = try await dependency {
                var states: [SessionState] = []
                for sessionId in try await sessions.sessions(ofUser: userId) {
                    let state = try await sessions.session(sessionId)
                    if !state.isEmpty { states.append(state) }
                }
                return UserExport(
                    userId: userId, profile: try await users.profile(userId: userId), requests: try await users.requests(userId: userId),
                    sessions: states)
            }
            // Like a session that is not stored: nothing held is a 404, also after an erasure.
            guard export.profile != nil || !export.requests.isEmpty || !export.sessions.isEmpty else {
                throw APIError(status: .notFound, code: "not_found", field: "userId", message: "nothing is stored about this user")
            }
            return export
        }

        router.delete("/v1/users/{userId}/data") { request, context -> Erasure in
            let actor = try auth.authorize(request, role: .privacy)
            let userId = try context.parameters.identifier("userId")
            let erasedSessions = try await dependency { try await sessions.deleteUser(userId) }
            let erasedProfile = try await dependency { try await users.erase(userId: userId) }
            enricher.invalidate(userId: userId)
            context.logger.info("user data erased", metadata: [
                "actor": "\(actor)", "user": "\(pseudonymizer.pseudonym(for: userId))", "sessions": "\(erasedSessions.count)",
            ])
            return Erasure(erasedSessions: erasedSessions, erasedProfile: erasedProfile)
        }
    }

    /// Runs a store call within the budget; a slow or failing store is a 503 the client may retry,
    /// never a hang or a 500.
    private func dependency<T: Sendable>(_ call: @escaping @Sendable () async throws -> T) async throws -> T {
        do {
            return try await withDeadline(budget, operation: call)
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError(
                status: .serviceUnavailable, code: "dependency_unavailable",
                message: "a storage dependency did not answer in time; retry later", headers: [.retryAfter: "1"])
        }
    }
}

extension UserProfile: ResponseEncodable {}

/// The body of `PUT /v1/users/{userId}/consent`: `personalization`, `analytics` or both, each
/// true, false or null (= keep). Unknown keys are refused with their name, like everywhere else.
struct ConsentChange: Equatable {
    var personalization: Bool?
    var analytics: Bool?

    static let fields = ["analytics", "personalization"]

    static func parse(body: Data) throws(APIError) -> ConsentChange {
        let value: JSONValue
        do { value = try JSONParser.parse(body) } catch { throw APIError.invalidJSON(error) }
        guard case .object(let object) = value else {
            throw APIError(
                status: .badRequest, code: "invalid_body", field: "<body>",
                message: "must be {\"personalization\": true|false, \"analytics\": true|false}; got \(value.kind)")
        }
        if let unknown = object.keys.sorted().first(where: { !fields.contains($0) }) {
            throw invalid(unknown, "is not a known field; known fields are \(fields.joined(separator: ", "))")
        }
        func flag(_ name: String) throws(APIError) -> Bool? {
            switch object[name] {
            case nil, .null?: return nil
            case .bool(let flag)?: return flag
            case let other?: throw invalid(name, "must be true or false; got \(other.kind)")
            }
        }
        let change = ConsentChange(personalization: try flag("personalization"), analytics: try flag("analytics"))
        guard change.personalization != nil || change.analytics != nil else {
            throw invalid("personalization", "give personalization, analytics or both, as true or false")
        }
        return change
    }

    private static func invalid(_ field: String, _ message: String) -> APIError {
        APIError(status: .badRequest, code: "invalid_field", field: field, message: message)
    }
}

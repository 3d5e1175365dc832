import Foundation
import Hummingbird

/// Consent, export and erasure for users and sessions, plus a debugging view of a session.
struct PrivacyRoutes: Sendable {
    let sessions: any SessionStore
    let users: PostgresUserStore
    let enricher: EventEnricher
    let sessionSettings: SessionSettings
    /// Each store call of a privacy request gives up after this long.
    var budget: Duration = .seconds(5)

    struct ConsentChange: Decodable {
        var personalization: Bool?
        var analytics: Bool?
    }

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
        router.get("/v1/sessions/{sessionId}") { _, context -> SessionView in
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

        router.delete("/v1/sessions/{sessionId}") { _, context -> Erasure in
            let sessionId = try context.parameters.identifier("sessionId")
            let existed = try await dependency { try await sessions.deleteSession(sessionId) }
            return Erasure(erasedSessions: existed ? [sessionId] : [], erasedProfile: nil)
        }

        router.put("/v1/users/{userId}/consent") { request, context -> UserProfile in
            let userId = try context.parameters.identifier("userId")
            let body = try await request.collectBody(limit: 4_096)
            let change: ConsentChange
            do {
                change = try JSONDecoder().decode(ConsentChange.self, from: body)
            } catch {
                throw APIError(
                    status: .badRequest, code: "invalid_body", field: "<body>",
                    message: "must be {\"personalization\": true|false, \"analytics\": true|false}")
            }
            guard change.personalization != nil || change.analytics != nil else {
                throw APIError(status: .badRequest, code: "invalid_body", field: "personalization", message: "give personalization, analytics or both")
            }
            let profile = try await dependency {
                try await users.setConsent(userId: userId, personalization: change.personalization, analytics: change.analytics)
            }
            enricher.invalidate(userId: userId)
            // Withdrawn consent: the sessions we hold for the user go at once.
            if change.personalization == false { _ = try await dependency { try await sessions.deleteUser(userId) } }
            return profile
        }

        router.get("/v1/users/{userId}/data") { _, context -> UserExport in
            let userId = try context.parameters.identifier("userId")
            return try await dependency {
                var states: [SessionState] = []
                for sessionId in try await sessions.sessions(ofUser: userId) {
                    let state = try await sessions.session(sessionId)
                    if !state.isEmpty { states.append(state) }
                }
                return UserExport(
                    userId: userId, profile: try await users.profile(userId: userId), requests: try await users.requests(userId: userId),
                    sessions: states)
            }
        }

        router.delete("/v1/users/{userId}/data") { _, context -> Erasure in
            let userId = try context.parameters.identifier("userId")
            let erasedSessions = try await dependency { try await sessions.deleteUser(userId) }
            let erasedProfile = try await dependency { try await users.erase(userId: userId) }
            enricher.invalidate(userId: userId)
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

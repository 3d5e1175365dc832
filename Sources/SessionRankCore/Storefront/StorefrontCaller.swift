/// Who calls a storefront endpoint, as its credentials prove, and what that lets it name.
///
/// - the storefront key (`Authorization: Bearer <key>`, role `storefront`): a trusted server,
///   which may name any `userId` and `requestId`;
/// - a visitor token (`X-Visitor-Token`): the session and user come from the token only;
/// - neither: anonymous, which may name a session and nothing that identifies a person.
public struct StorefrontCaller: Sendable, Equatable {
    /// The name of the storefront key the call carries.
    public var serverKey: String?
    /// The claims of the call's valid visitor token.
    public var visitor: VisitorClaims?
    /// The role of an admin token in `Authorization`; debug output needs `viewer`.
    public var adminRole: AdminRole?

    public init(serverKey: String? = nil, visitor: VisitorClaims? = nil, adminRole: AdminRole? = nil) {
        self.serverKey = serverKey
        self.visitor = visitor
        self.adminRole = adminRole
    }

    public var isAnonymous: Bool { serverKey == nil && visitor == nil }

    /// The user a call acts for, after checking what it names against its credentials. A
    /// visitor token's session and user win; naming others is a 403. Without a key or token,
    /// naming a user or a backend request (whose row names a user) is a 401.
    /// `where` prefixes messages, e.g. "event 3: ".
    package func user(sessionId: String, userId: String?, requestId: String?, where location: String = "") throws(APIError) -> String? {
        if let visitor {
            guard sessionId == visitor.sessionId else {
                throw Self.forbidden("sessionId", location + "differs from the session the visitor token was minted for")
            }
            if let userId, userId != visitor.userId {
                throw Self.forbidden(
                    "userId", location + (visitor.userId == nil ? "must be left out: the visitor token binds no user" : "differs from the user the visitor token binds"))
            }
            if requestId != nil, serverKey == nil {
                throw Self.forbidden("requestId", location + "may only be named by a call with the storefront key")
            }
            return visitor.userId
        }
        if serverKey != nil { return userId }
        if userId != nil {
            throw Self.unauthorized(
                "userId", location + "may only be named with the storefront key (Authorization: Bearer <key>) or taken from a visitor token (X-Visitor-Token)")
        }
        if requestId != nil {
            throw Self.unauthorized("requestId", location + "may only be named with the storefront key (Authorization: Bearer <key>)")
        }
        return nil
    }

    /// Score components and withheld candidates reveal which rules apply to a visitor.
    package func allowDebug() throws(APIError) {
        guard let adminRole else {
            if serverKey != nil {
                throw Self.forbidden("debug", "debug=true requires a token of role viewer or editor; the storefront key does not unlock it")
            }
            throw Self.unauthorized("debug", "debug=true requires Authorization: Bearer <admin token of role viewer or editor>")
        }
        guard adminRole.allows(.viewer) else {
            throw Self.forbidden("debug", "debug=true requires a token of role viewer or editor; got role \(adminRole.rawValue)")
        }
    }

    static let challenge = #"Bearer realm="sessionrank-storefront""#

    package static func unauthorized(_ field: String, _ message: String) -> APIError {
        APIError(status: .unauthorized, code: "unauthorized", field: field, message: message, headers: [.wwwAuthenticate: challenge])
    }

    static func forbidden(_ field: String, _ message: String) -> APIError {
        APIError(status: .forbidden, code: "forbidden", field: field, message: message)
    }
}

import Foundation

/// Every client error the API returns: a status, a stable machine-readable code, the field at
/// fault and a message that says what is allowed. Rendered as
/// `{"error": {"code": …, "field": …, "message": …}}`.
///
/// The domain names the status and headers in its own words; the HTTP layer
/// (RecommendationServer, `APIError+HTTP.swift`) turns them into a response.
public struct APIError: Error, Sendable, Equatable {
    /// An HTTP status code and its reason phrase.
    public struct Status: Sendable, Equatable, Hashable {
        public var code: Int
        public var reasonPhrase: String

        public init(code: Int, reasonPhrase: String) {
            self.code = code
            self.reasonPhrase = reasonPhrase
        }

        public static let badRequest = Status(code: 400, reasonPhrase: "Bad Request")
        public static let unauthorized = Status(code: 401, reasonPhrase: "Unauthorized")
        public static let forbidden = Status(code: 403, reasonPhrase: "Forbidden")
        public static let notFound = Status(code: 404, reasonPhrase: "Not Found")
        public static let methodNotAllowed = Status(code: 405, reasonPhrase: "Method Not Allowed")
        public static let conflict = Status(code: 409, reasonPhrase: "Conflict")
        public static let preconditionFailed = Status(code: 412, reasonPhrase: "Precondition Failed")
        public static let contentTooLarge = Status(code: 413, reasonPhrase: "Content Too Large")
        public static let preconditionRequired = Status(code: 428, reasonPhrase: "Precondition Required")
        public static let tooManyRequests = Status(code: 429, reasonPhrase: "Too Many Requests")
        public static let internalServerError = Status(code: 500, reasonPhrase: "Internal Server Error")
        public static let serviceUnavailable = Status(code: 503, reasonPhrase: "Service Unavailable")
    }

    /// The response headers an error may carry.
    public struct Header: Sendable, Hashable {
        public var name: String

        public init(_ name: String) { self.name = name }

        public static let wwwAuthenticate = Header("WWW-Authenticate")
        public static let retryAfter = Header("Retry-After")
        public static let allow = Header("Allow")
        public static let eTag = Header("ETag")
    }

    /// Named `statusCode` so the HTTP layer can offer `status` in its own type.
    public var statusCode: Status
    public var code: String
    public var field: String?
    public var message: String
    public var headerValues: [Header: String]

    public init(status: Status, code: String, field: String? = nil, message: String, headers: [Header: String] = [:]) {
        self.statusCode = status
        self.code = code
        self.field = field
        self.message = message
        self.headerValues = headers
    }

    package static func invalidJSON(_ error: any Error) -> APIError {
        var detail = "is not valid JSON"
        if let failure = error as? JSONParser.Failure {
            detail += ": \(failure)"
        } else if case DecodingError.dataCorrupted(let context) = error, let underlying = context.underlyingError {
            detail += ": \((underlying as NSError).userInfo[NSDebugDescriptionErrorKey] ?? underlying.localizedDescription)"
        }
        return APIError(status: .badRequest, code: "invalid_json", field: "<body>", message: detail)
    }

    private struct Body: Encodable {
        struct Detail: Encodable {
            let code: String
            let field: String?
            let message: String
        }
        let error: Detail
    }

    /// `{"error": {"code": …, "field": …, "message": …}}`.
    package var jsonBody: Data {
        // Encoding three strings cannot fail.
        (try? JSONEncoder().encode(Body(error: .init(code: code, field: field, message: message)))) ?? Data()
    }
}

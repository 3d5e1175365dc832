import Foundation
import HTTPTypes
import Hummingbird

/// Every client error the API returns: a status, a stable machine-readable code, the field at
/// fault and a message that says what is allowed. Rendered as
/// `{"error": {"code": …, "field": …, "message": …}}`.
public struct APIError: Error, HTTPResponseError, Sendable, Equatable {
    public var status: HTTPResponse.Status
    public var code: String
    public var field: String?
    public var message: String
    public var headers: HTTPFields = [:]

    public init(status: HTTPResponse.Status, code: String, field: String? = nil, message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.field = field
        self.message = message
        self.headers = headers
    }

    static func invalidJSON(_ error: any Error) -> APIError {
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
    var jsonBody: Data {
        // Encoding three strings cannot fail.
        (try? JSONEncoder().encode(Body(error: .init(code: code, field: field, message: message)))) ?? Data()
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let data = jsonBody
        var headers = self.headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

import Foundation
import HTTPTypes
import Hummingbird
import SessionRankCore

/// Hummingbird renders a thrown `APIError` as its JSON body with its status and headers.
extension APIError: HTTPResponseError {
    public var status: HTTPResponse.Status {
        HTTPResponse.Status(code: statusCode.code, reasonPhrase: statusCode.reasonPhrase)
    }

    public var headers: HTTPFields {
        var fields = HTTPFields()
        // The header names are fixed tokens (`APIError.Header`), always valid.
        for (header, value) in headerValues.sorted(by: { $0.key.name < $1.key.name }) {
            if let name = HTTPField.Name(header.name) { fields[name] = value }
        }
        return fields
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let data = jsonBody
        var headers = self.headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

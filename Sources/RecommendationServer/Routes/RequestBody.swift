import Foundation
import Hummingbird
import NIOCore
import SessionRankCore

extension Request {
    /// The whole body, refusing bodies over `limit` bytes with a JSON 413 that says the limit.
    func collectBody(limit: Int) async throws -> Data {
        do {
            return Data(buffer: try await body.collect(upTo: limit))
        } catch is NIOTooManyBytesError {
            throw APIError(status: .contentTooLarge, code: "body_too_large", field: "<body>", message: "must be at most \(limit) bytes")
        }
    }
}

extension Parameters {
    /// A path identifier checked like the ids of events: printable ASCII, no spaces, bounded length.
    func identifier(_ name: String, maxLength: Int = 128) throws -> String {
        // Hummingbird hands path segments over still percent-encoded.
        guard let value = get(name)?.removingPercentEncoding, !value.isEmpty, value.utf8.count <= maxLength,
              value.utf8.allSatisfy(isIdentifierByte)
        else {
            throw APIError(
                status: .badRequest, code: "invalid_path", field: name,
                message: "must be 1 to \(maxLength) printable ASCII characters without spaces or '|'")
        }
        return value
    }
}

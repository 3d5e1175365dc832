import Foundation
import Hummingbird
import SessionRankCore

/// `GET /openapi.yaml`: the API description, read once from the repository's `openapi.yaml`
/// (or `SESSIONRANK_OPENAPI_PATH`).
struct OpenAPIRoute: Sendable {
    let document: String?

    init(path: String = ProcessInfo.processInfo.environment["SESSIONRANK_OPENAPI_PATH"] ?? "openapi.yaml") {
        document = try? String(contentsOfFile: path, encoding: .utf8)
    }

    func register(in router: Router<some RequestContext>) {
        router.get("/openapi.yaml") { _, _ -> Response in
            guard let document else {
                throw APIError(status: .notFound, code: "not_found", message: "openapi.yaml is not installed next to the service")
            }
            return Response(
                status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: document)))
        }
    }
}

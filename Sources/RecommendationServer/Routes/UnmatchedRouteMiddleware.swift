import HTTPTypes
import Hummingbird
import SessionRankCore

/// Answers requests no route takes with JSON like every other error: 405 with `Allow` when the
/// path exists under other methods, else 404. Added after every route, so it wraps only the
/// router's not-found responder.
struct UnmatchedRouteMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Route templates split into segments (`{…}` matches any one segment), with their methods.
    private let routes: [(segments: [Substring], methods: [HTTPRequest.Method])]

    init(routes: [(path: String, method: HTTPRequest.Method)]) {
        var methodsByPath: [String: [HTTPRequest.Method]] = [:]
        for route in routes { methodsByPath[route.path, default: []].append(route.method) }
        self.routes = methodsByPath.map { path, methods in
            (path.split(separator: "/"), methods.sorted { $0.rawValue < $1.rawValue })
        }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let segments = request.uri.path.split(separator: "/")
            let allowed = routes.filter { Self.matches($0.segments, segments) }.flatMap(\.methods)
            guard !allowed.isEmpty else {
                throw APIError(status: .notFound, code: "not_found", message: "no endpoint at this path; see /openapi.yaml")
            }
            let list = allowed.map(\.rawValue).joined(separator: ", ")
            throw APIError(
                status: .methodNotAllowed, code: "method_not_allowed", message: "this path takes \(list)", headers: [.allow: list])
        }
    }

    private static func matches(_ template: [Substring], _ path: [Substring]) -> Bool {
        guard template.count == path.count else { return false }
        return zip(template, path).allSatisfy { pattern, segment in
            (pattern.hasPrefix("{") && pattern.hasSuffix("}")) || pattern == segment
        }
    }
}

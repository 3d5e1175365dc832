import Hummingbird
import SessionRankCore

/// CORS for storefront JavaScript: only the configured origins (or `*`) get the
/// `Access-Control-Allow-*` headers, and preflight requests are answered here. Only the
/// storefront endpoints take part: the admin API, the privacy endpoints and the operational
/// ones are never meant for a shop's pages, so a browser there gets no CORS grant.
struct CORSPolicyMiddleware<Context: RequestContext>: RouterMiddleware {
    let allowedOrigins: Set<String>
    static var storefrontPaths: Set<String> { ["/v1/events", "/v1/recommend", "/v1/feedback"] }
    static var allowedMethods: String { "GET, POST, OPTIONS" }
    /// Authorization carries a viewer token for debug output; X-Visitor-Token the visitor's token.
    static var allowedHeaders: String { "Content-Type, Authorization, X-Visitor-Token, X-Request-Id" }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard Self.storefrontPaths.contains(request.uri.path),
            let origin = request.headers[.origin], allowedOrigins.contains("*") || allowedOrigins.contains(origin)
        else {
            return try await next(request, context)
        }
        let allowOrigin = allowedOrigins.contains("*") ? "*" : origin
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            return Response(status: .noContent, headers: [
                .accessControlAllowOrigin: allowOrigin, .accessControlAllowMethods: Self.allowedMethods,
                .accessControlAllowHeaders: Self.allowedHeaders, .accessControlMaxAge: "600", .vary: "Origin",
            ])
        }
        var response = try await next(request, context)
        response.headers[.accessControlAllowOrigin] = allowOrigin
        response.headers[.accessControlExposeHeaders] = "X-Request-Id, Retry-After"
        response.headers[.vary] = "Origin"
        return response
    }
}

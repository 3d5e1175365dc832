import Hummingbird

/// CORS for storefront JavaScript: only the configured origins (or `*`) get the
/// `Access-Control-Allow-*` headers, and preflight requests are answered here.
struct CORSPolicyMiddleware<Context: RequestContext>: RouterMiddleware {
    let allowedOrigins: Set<String>
    static var allowedMethods: String { "GET, POST, PUT, DELETE, OPTIONS" }
    static var allowedHeaders: String { "Content-Type, Authorization, X-Request-Id" }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin], allowedOrigins.contains("*") || allowedOrigins.contains(origin) else {
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

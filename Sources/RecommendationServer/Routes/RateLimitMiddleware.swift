import HTTPTypes
import Hummingbird
import SessionRankCore

/// Per-client limits on the public endpoints that write: events, feedback, both forms of
/// recommend (a GET with `itemId` records a page view and costs a model query) and the privacy
/// changes. A client is the value of `clientHeader` when configured (behind a trusted proxy),
/// else the peer address. Over the limit: 429 with `Retry-After`.
struct RateLimitMiddleware<Context: RemoteAddressRequestContext>: RouterMiddleware {
    let limiter: RateLimiter
    let clientHeader: HTTPField.Name?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.uri.path.hasPrefix("/v1/"),
              request.uri.path == "/v1/recommend" || (request.method != .get && request.method != .head),
              request.method != .options
        else { return try await next(request, context) }
        let client = clientHeader.flatMap { request.headers[$0] } ?? context.remoteAddress?.ipAddress ?? "unknown"
        if let wait = limiter.acquire(client) {
            let seconds = max(1, Int((Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18).rounded(.up)))
            throw APIError(
                status: .tooManyRequests, code: "rate_limited",
                message: "too many requests from this client; retry after \(seconds) s", headers: [.retryAfter: "\(seconds)"])
        }
        return try await next(request, context)
    }
}

import HTTPTypes
import Hummingbird
import SessionRankCore

/// Echoes the id Hummingbird gives each request (and puts on each of its log lines) as
/// `X-Request-Id`, so a storefront can quote it in a bug report.
struct RequestIDMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            var response = try await next(request, context)
            response.headers[.requestID] = context.id
            return response
        } catch let error as any HTTPResponseError {
            // Errors get the id too: they are what a storefront most needs to quote.
            var response = try error.response(from: request, context: context)
            response.headers[.requestID] = context.id
            return response
        }
    }
}

extension HTTPField.Name {
    static let requestID = Self("X-Request-Id")!
}

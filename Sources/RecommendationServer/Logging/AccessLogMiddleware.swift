import Hummingbird
import Logging
import SessionRankCore

/// One debug line per request: method, route template (never the raw path, whose segments may
/// be user or session ids), status and duration. Session and user ids from the query string
/// appear only as pseudonyms, so lines of one visitor can be followed without naming them.
struct AccessLogMiddleware<Context: RequestContext>: RouterMiddleware {
    let pseudonymizer: Pseudonymizer

    /// Query parameters that identify a person or a session.
    static var personalParameters: [String: String] { ["sessionId": "session", "userId": "user", "deviceId": "device"] }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard context.logger.logLevel <= .debug else { return try await next(request, context) }
        let started = ContinuousClock.now
        do {
            let response = try await next(request, context)
            log(request, context: context, status: response.status.code, started: started)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            log(request, context: context, status: status, started: started)
            throw error
        }
    }

    private func log(_ request: Request, context: Context, status: Int, started: ContinuousClock.Instant) {
        var metadata: Logger.Metadata = [
            "http.method": "\(request.method.rawValue)",
            "http.route": "\(context.endpointPath ?? "unmatched")",
            "http.status": "\(status)",
            "http.milliseconds": "\((ContinuousClock.now - started).milliseconds)",
        ]
        for (name, value) in request.uri.queryParameters {
            guard let key = Self.personalParameters[String(name)] else { continue }
            metadata[key] = "\(pseudonymizer.pseudonym(for: String(value)))"
        }
        context.logger.debug("request", metadata: metadata)
    }
}

import Foundation
import Hummingbird
import SessionRankCore

/// `POST /v1/events`: one event, an array, or `{"events": [...]}`; 202 with counts.
struct EventRoutes: Sendable {
    let ingestor: EventIngestor
    let auth: StorefrontAuthenticator
    let maxBodyBytes: Int

    func register(in router: Router<some RequestContext>) {
        router.post("/v1/events") { request, _ -> EditedResponse<IngestionResult> in
            let caller = try auth.caller(request)
            let body = try await request.collectBody(limit: maxBodyBytes)
            let result = try await ingestor.ingest(body: body, caller: caller)
            return EditedResponse(status: .accepted, response: result)
        }
    }
}

import Foundation
import HTTPTypes
import Hummingbird
import SessionRankCore

/// `/admin/v1/replay`: judge a draft ranking config on the recent log before activating it.
/// POST answers 202 at once with the replay's id; the replay runs within
/// `admin.replayBudgetSeconds` and GET `/admin/v1/replay/{id}` shows it running, then its
/// figures. A synchronous answer would hold the page (and a proxy's timeout) for the whole
/// budget; polling lets the page show progress and a product team leave and come back.
struct ReplayRoutes: Sendable {
    let auth: AdminAuthenticator
    let reloader: RankingConfigReloader
    let runner: ReplayRunner
    let maxBodyBytes: Int

    func register(in router: Router<some RequestContext>) {
        let group = router.group("/admin/v1")
        group.post("/replay") { request, _ -> Response in
            // Aggregates only, never a visitor's data: viewer, like a preview of items.
            _ = try auth.authorize(request, role: .viewer)
            let body = try await request.collectBody(limit: maxBodyBytes)
            let replay: ReplayRequest
            do { replay = try JSONDecoder().decode(ReplayRequest.self, from: body) } catch {
                throw APIError(
                    status: .badRequest, code: "invalid_body", field: Self.field(of: error) ?? "<body>",
                    message: "must be JSON {draft: string (ranking config YAML), sessions?: 1-\(ReplayRequest.maxSessions), hours?: 1-\(ReplayRequest.maxHours), placement?}: \(Self.reason(error))")
            }
            let draft = try AdminRoutes.validate(replay.draft)
            let plan = try replay.plan(draft: draft, live: reloader.policy.current)
            let report = try runner.start(plan)
            return try AdminRoutes.json(report, status: .accepted, headers: [.location: "/admin/v1/replay/\(report.id)"])
        }
        group.get("/replay/:id") { request, context -> Response in
            _ = try auth.authorize(request, role: .viewer)
            let id = context.parameters.get("id") ?? ""
            guard let report = runner.report(id) else {
                throw APIError(
                    status: .notFound, code: "unknown_replay", field: "id",
                    message: "no replay \(id) on this replica (the last 20 are kept; replays are not shared between replicas)")
            }
            return try AdminRoutes.json(report)
        }
    }

    /// The body field a decoding error is about (`sessions`, `draft`), when it names one.
    static func field(of error: any Error) -> String? {
        guard let error = error as? DecodingError else { return nil }
        let path: [any CodingKey]
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context): path = context.codingPath
        case .keyNotFound(let key, let context): path = context.codingPath + [key]
        default: path = []
        }
        return path.first?.stringValue
    }

    static func reason(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        switch error {
        case .typeMismatch(let type, _): return "wrong type, expected \(type)"
        case .valueNotFound, .keyNotFound: return "a required field is missing"
        case .dataCorrupted: return "not valid JSON"
        @unknown default: return "invalid"
        }
    }
}

import Hummingbird
import SessionRankCore

/// `/health/live` says the process answers; `/health/ready` says whether its dependencies do.
/// Load balancers route on readiness; orchestrators restart on liveness.
struct HealthRoutes: Sendable {
    let probe: ReadinessProbe

    func register(in router: Router<some RequestContext>) {
        router.get("/health/live") { _, _ in
            LiveStatus(status: "live")
        }
        router.get("/health/ready") { _, _ -> EditedResponse<ReadinessReport> in
            let report = await probe.report()
            return EditedResponse(status: report.status == .ready ? .ok : .serviceUnavailable, response: report)
        }
    }
}

struct LiveStatus: ResponseEncodable {
    let status: String
}

extension ReadinessReport: ResponseEncodable {}

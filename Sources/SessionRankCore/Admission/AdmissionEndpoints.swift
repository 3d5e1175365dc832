/// Which in-flight count a request belongs to. Each public endpoint has its own, so a flood of
/// one kind does not starve the others; health checks and metrics have none, so an overloaded
/// replica still reports itself.
package enum AdmissionEndpoints {
    package static let all = ["/v1/events", "/v1/recommend", "/v1/feedback", "/v1/sessions", "/v1/users", "/admin", "other"]

    /// The endpoint of `path` (query string allowed), or nil for the exempt ones.
    package static func endpoint(of path: String) -> String? {
        let path = path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? path
        if path.hasPrefix("/health/") || path == "/metrics" { return nil }
        for prefix in all.dropLast() where path == prefix || path.hasPrefix(prefix + "/") {
            return prefix
        }
        return "other"
    }
}

import Foundation
import HTTPTypes
import Hummingbird
import SessionRankAdapters
import SessionRankCore

/// `/admin/v1`: the ranking configuration (versions, rollback, validation) and its audit log.
/// Viewers read and validate; editors change. docs/RANKING.md describes the flow.
struct AdminRoutes: Sendable {
    let auth: AdminAuthenticator
    let reloader: RankingConfigReloader
    let recommender: RecommendationService
    let experiments: ExperimentTracker?
    let kpis: LiveKPIs?
    let maxBodyBytes: Int

    var store: any ConfigStore { reloader.store }

    func register(in router: Router<some RequestContext>) {
        let group = router.group("/admin/v1")
        group.get("/config") { request, _ -> Response in
            _ = try auth.authorize(request, role: .viewer)
            guard let latest = try await store.latest() else {
                throw APIError(status: .notFound, code: "no_config_stored", message: "no ranking config is stored yet; the service stores the file at start")
            }
            return try Self.json(ConfigView(latest), headers: [.eTag: Self.etag(latest.version)])
        }
        group.put("/config") { request, _ -> Response in
            let author = try auth.authorize(request, role: .editor)
            guard let ifMatch = request.headers[.ifMatch] else {
                throw APIError(
                    status: .preconditionRequired, code: "if_match_required", field: "If-Match",
                    message: "requires If-Match with the current version's ETag (GET /admin/v1/config)")
            }
            guard let expected = Self.version(fromETag: ifMatch) else {
                throw APIError(status: .badRequest, code: "invalid_header", field: "If-Match", message: "must be an ETag such as \"12\"")
            }
            let draft = try await Self.draft(request, limit: maxBodyBytes)
            _ = try Self.validate(draft.yaml)
            return try await store(draft.yaml, author: author, comment: draft.comment ?? "", action: "update", expected: expected)
        }
        group.get("/config/versions") { request, _ -> Response in
            _ = try auth.authorize(request, role: .viewer)
            let versions = try await store.versions(limit: try Self.limitParameter(request, default: 50, maximum: 500))
            return try Self.json(VersionList(live: reloader.liveVersion, versions: versions.map(ConfigView.init)))
        }
        group.get("/config/versions/:version") { request, context -> Response in
            _ = try auth.authorize(request, role: .viewer)
            let number = try Self.versionParameter(context.parameters)
            guard let version = try await store.version(number) else { throw Self.unknownVersion(number) }
            return try Self.json(ConfigView(version), headers: [.eTag: Self.etag(version.version)])
        }
        group.post("/config/rollback/:version") { request, context -> Response in
            let author = try auth.authorize(request, role: .editor)
            let number = try Self.versionParameter(context.parameters)
            guard let target = try await store.version(number) else { throw Self.unknownVersion(number) }
            _ = try Self.validate(target.yaml)
            // If-Match is optional here: rolling back is a deliberate choice of content, but a
            // client that sends it gets the same lost-update check as PUT.
            let expected = try request.headers[.ifMatch].map { header throws(APIError) -> Int64 in
                guard let value = Self.version(fromETag: header) else {
                    throw APIError(status: .badRequest, code: "invalid_header", field: "If-Match", message: "must be an ETag such as \"12\"")
                }
                return value
            }
            return try await store(target.yaml, author: author, comment: "rollback to version \(number)", action: "rollback", expected: expected)
        }
        group.post("/config/validate") { request, _ -> Response in
            _ = try auth.authorize(request, role: .viewer)
            let draft = try await Self.draft(request, limit: maxBodyBytes)
            let policy = try Self.validate(draft.yaml)
            return try Self.json(Validated(valid: true, configVersion: policy.version))
        }
        group.post("/preview") { request, _ -> Response in
            // Who may preview depends on the body: the role is checked in two steps.
            _ = try auth.authorize(request, anyOf: [.viewer, .privacy])
            let body = try await request.collectBody(limit: maxBodyBytes)
            let preview: PreviewRequest
            do { preview = try JSONDecoder().decode(PreviewRequest.self, from: body) } catch {
                throw APIError(
                    status: .badRequest, code: "invalid_body", field: "<body>",
                    message: "must be JSON {sessionId | items, draft, userId?, placement?, limit?, context?}: \(error)")
            }
            try Self.authorizePreview(preview, request: request, auth: auth)
            let draft = try Self.validate(preview.draft)
            return try Self.json(try await recommender.preview(preview, draft: draft))
        }
        group.get("/experiments") { request, _ -> Response in
            _ = try auth.authorize(request, role: .viewer)
            let experiment = reloader.policy.current.experiment
            let counts = experiment.flatMap { experiments?.counts(experiment: $0.name) } ?? [:]
            return try Self.json(ExperimentResults(experiment: experiment, counts: counts))
        }
        group.get("/kpis") { request, _ -> Response in
            _ = try auth.authorize(request, role: .viewer)
            return try Self.json(KPIs(seconds: kpis?.lastMinute() ?? []))
        }
        group.get("/audit") { request, _ -> Response in
            _ = try auth.authorize(request, role: .viewer)
            return try Self.json(AuditList(entries: try await store.auditLog(limit: try Self.limitParameter(request, default: 100, maximum: 1_000))))
        }
    }

    /// Stores a new version under the lost-update check, then serves it here at once; the other
    /// replicas pick it up on their next poll.
    private func store(_ yaml: String, author: String, comment: String, action: String, expected: Int64?) async throws -> Response {
        let stored: RankingConfigVersion?
        do {
            stored = try await store.append(
                yaml: yaml, author: author, comment: comment, action: action, expected: expected.map { .some($0) })
        } catch {
            // Matched by hand: a pattern in the catch clause on this typed error crashes Swift 6.3's SIL verifier.
            guard case .versionMismatch(let current) = error else { throw error }
            throw APIError(
                status: .preconditionFailed, code: "version_mismatch", field: "If-Match",
                message: "the config changed meanwhile; the current version is \(current.map(String.init) ?? "none"): fetch it and retry",
                headers: current.map { [.eTag: Self.etag($0)] } ?? [:])
        }
        guard let stored else { throw APIError(status: .internalServerError, code: "not_stored", message: "the config was not stored") }
        reloader.activate(stored)
        return try Self.json(ConfigView(stored), status: .ok, headers: [.eTag: Self.etag(stored.version)])
    }

    /// A preview of a real session or user shows that person's history and the rules that apply
    /// to them: personal data, so it needs the `privacy` role. A list of items needs `viewer`.
    static func authorizePreview(_ preview: PreviewRequest, request: Request, auth: AdminAuthenticator) throws(APIError) {
        try preview.requireOneSource()
        let personal = preview.sessionId != nil ? "sessionId" : preview.userId != nil ? "userId" : nil
        let required: AdminRole = personal == nil ? .viewer : .privacy
        guard let caller = try auth.identify(request), caller.role.allows(required) else {
            throw APIError(
                status: .forbidden, code: "forbidden", field: personal ?? "Authorization",
                message: personal.map { "a preview that names \($0) shows a real visitor's data; requires privacy" }
                    ?? "a preview of items requires viewer")
        }
    }

    // MARK: Request and response shapes

    struct Draft: Decodable {
        var yaml: String
        var comment: String?
    }

    /// A body of YAML text, or JSON `{yaml, comment}` when the content type says JSON.
    static func draft(_ request: Request, limit: Int) async throws -> Draft {
        let body = try await request.collectBody(limit: limit)
        guard !body.isEmpty else {
            throw APIError(status: .badRequest, code: "invalid_body", field: "<body>", message: "is required: the ranking config as YAML text or JSON {\"yaml\": …}")
        }
        if request.headers[.contentType]?.lowercased().contains("json") == true {
            do { return try JSONDecoder().decode(Draft.self, from: body) } catch {
                throw APIError(status: .badRequest, code: "invalid_body", field: "<body>", message: "must be JSON {\"yaml\": string, \"comment\"?: string}")
            }
        }
        guard let text = String(data: body, encoding: .utf8) else {
            throw APIError(status: .badRequest, code: "invalid_body", field: "<body>", message: "must be UTF-8 YAML text")
        }
        return Draft(yaml: text, comment: request.uri.queryParameters["comment"].map { String($0).removingPercentEncoding ?? String($0) })
    }

    /// The whole config is checked before anything changes; the error names the field.
    static func validate(_ yaml: String) throws(APIError) -> RankingPolicy {
        do { return try RankingPolicy.parse(yaml: yaml) } catch {
            throw APIError(status: .badRequest, code: "invalid_config", field: error.field, message: error.message)
        }
    }

    struct ConfigView: Encodable {
        var version: Int64
        var digest: String
        /// What `/v1/recommend` answers as `configVersion` for this content.
        var configVersion: String
        var yaml: String?
        var author: String
        var comment: String
        var createdAt: Date

        init(_ stored: RankingConfigVersion) {
            version = stored.version
            digest = stored.digest
            configVersion = "cfg-" + stored.digest.prefix(12)
            yaml = stored.yaml.isEmpty && stored.digest != RankingConfigVersion.digest(of: "") ? nil : stored.yaml
            author = stored.author
            comment = stored.comment
            createdAt = stored.createdAt
        }
    }

    struct VersionList: Encodable {
        var live: Int64?
        var versions: [ConfigView]
    }

    struct Validated: Encodable {
        var valid: Bool
        var configVersion: String
    }

    struct KPIs: Encodable {
        var seconds: [LiveKPIs.Second]
        var note = "this replica's /v1/recommend answers, per second, for the last minute"
    }

    struct AuditList: Encodable {
        var entries: [RankingConfigAuditEntry]
    }

    static func etag(_ version: Int64) -> String { "\"\(version)\"" }

    /// An entity tag as GET answers it, `"12"`, or weak, `W/"12"`: a version from 1 with at
    /// most 18 digits and no leading zero (openapi.yaml has the same pattern).
    static func version(fromETag header: String) -> Int64? {
        var text = Substring(header.trimmingCharacters(in: .whitespaces))
        if text.hasPrefix("W/") { text = text.dropFirst(2) }
        guard text.count >= 3, text.first == "\"", text.last == "\"" else { return nil }
        let digits = text.dropFirst().dropLast()
        guard digits.count <= 18, digits.first != "0", digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int64(digits)
    }

    static func versionParameter(_ parameters: Parameters) throws(APIError) -> Int64 {
        guard let text = parameters.get("version"), text.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let number = Int64(text), number > 0
        else {
            throw APIError(status: .badRequest, code: "invalid_path", field: "version", message: "must be a version number (1 or more)")
        }
        return number
    }

    /// `?limit=`: a whole number in range, or the default when left out; anything else is a 400.
    static func limitParameter(_ request: Request, default defaultValue: Int, maximum: Int) throws(APIError) -> Int {
        guard let text = request.uri.queryParameters["limit"] else { return defaultValue }
        guard let limit = Int(String(text)), (1...maximum).contains(limit) else {
            throw APIError(status: .badRequest, code: "invalid_field", field: "limit", message: "must be a whole number from 1 to \(maximum)")
        }
        return limit
    }

    static func unknownVersion(_ number: Int64) -> APIError {
        APIError(status: .notFound, code: "unknown_version", field: "version", message: "version \(number) does not exist")
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }
}

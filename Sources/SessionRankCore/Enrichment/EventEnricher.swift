import Foundation
import Logging

/// An event joined with what the backend knows about its request and user.
public struct EnrichedEvent: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable {
        /// Every look-up the event needed was answered (found or known to be absent).
        case complete
        /// Nothing to look up: no requestId, no userId.
        case notNeeded = "not_needed"
        /// The database did not answer within budget; the event went on without it.
        case timedOut = "timed_out"
        case failed
    }

    public var event: StorefrontEvent
    public var status: Status
    /// The event's user, or the request's user when the event named none.
    public var userId: String?
    public var request: BackendRequest?
    public var profile: UserProfile?

    /// The region the session is in: the event's context, the request's, or the profile's.
    public var region: String? { event.context.region ?? request?.region ?? profile?.region }
}

/// What is known of the visitor of one recommendation call.
public struct VisitorLookup: Sendable {
    public var status: EnrichedEvent.Status
    public var userId: String?
    public var request: BackendRequest?
    public var profile: UserProfile?

    public var mayPersonalize: Bool { Consent.allowsPersonalization(status: status, userId: userId, profile: profile) }
}

extension EnrichedEvent {
    public var mayPersonalize: Bool { Consent.allowsPersonalization(status: status, userId: userId, profile: profile) }
    public var mayAnalyse: Bool { Consent.allowsAnalytics(status: status, userId: userId, profile: profile) }
}

/// The consent rules, failing closed. Anonymous sessions follow the storefront's own cookie
/// consent (it sends events only under it). A known user needs an explicit yes; unknown consent
/// counts as no. A look-up that did not finish in its budget means "not known": an event naming
/// a requestId or userId is then treated as a user without consent, whoever that may be.
public enum Consent {
    public static func allowsPersonalization(status: EnrichedEvent.Status, userId: String?, profile: UserProfile?) -> Bool {
        allows(\.consentPersonalization, status: status, userId: userId, profile: profile)
    }

    public static func allowsAnalytics(status: EnrichedEvent.Status, userId: String?, profile: UserProfile?) -> Bool {
        allows(\.consentAnalytics, status: status, userId: userId, profile: profile)
    }

    /// One rule for every kind of consent: a finished look-up, then anonymous or an explicit yes
    /// in the named user's own profile.
    private static func allows(_ consent: KeyPath<UserProfile, Bool?>, status: EnrichedEvent.Status, userId: String?, profile: UserProfile?) -> Bool {
        guard lookUpFinished(status) else { return false }
        guard let userId else { return true }
        guard let profile, profile.userId == userId else { return false }
        return profile[keyPath: consent] == true
    }

    private static func lookUpFinished(_ status: EnrichedEvent.Status) -> Bool {
        status == .complete || status == .notNeeded
    }
}

/// Enriches a batch with one look-up for all of its cache misses, within a time budget.
public struct EventEnricher: Sendable {
    private let source: any ProfileSource
    private let users: ExpiringCache<String, UserProfile?>
    private let requests: ExpiringCache<String, BackendRequest?>
    private let budget: Duration
    private let logger: Logger

    public init(source: any ProfileSource, cacheCapacity: Int, cacheTTL: Duration, budget: Duration, logger: Logger) {
        self.source = source
        self.users = ExpiringCache(capacity: cacheCapacity, timeToLive: cacheTTL)
        self.requests = ExpiringCache(capacity: cacheCapacity, timeToLive: cacheTTL)
        self.budget = budget
        self.logger = logger
    }

    public func enrich(_ events: [StorefrontEvent]) async -> [EnrichedEvent] {
        let requestIds = Set(events.compactMap(\.requestId))
        let userIds = Set(events.compactMap(\.userId))
        guard !requestIds.isEmpty || !userIds.isEmpty else {
            return events.map { EnrichedEvent(event: $0, status: .notNeeded, userId: nil) }
        }
        let (status, fresh) = await fill(requestIds: requestIds, userIds: userIds, budget: budget)

        return events.map { event in
            let request = event.requestId.flatMap { requests.value(for: $0) ?? nil }
            let userId = event.userId ?? request?.userId
            let profile = userId.flatMap { knownProfile(of: $0, fresh: fresh) }
            return EnrichedEvent(event: event, status: status, userId: userId, request: request, profile: profile)
        }
    }

    /// The visitor behind a recommendation call: the profile of `userId` (or of the request's
    /// user), from cache or one look-up within `budget`.
    public func visitor(userId: String?, requestId: String?, budget: Duration) async -> VisitorLookup {
        let requestIds: Set<String> = requestId.map { [$0] } ?? []
        let userIds: Set<String> = userId.map { [$0] } ?? []
        guard !requestIds.isEmpty || !userIds.isEmpty else { return VisitorLookup(status: .notNeeded) }
        let (status, fresh) = await fill(requestIds: requestIds, userIds: userIds, budget: budget)
        let request = requestId.flatMap { requests.value(for: $0) ?? nil }
        let resolvedUser = userId ?? request?.userId
        let profile = resolvedUser.flatMap { knownProfile(of: $0, fresh: fresh) }
        return VisitorLookup(status: status, userId: resolvedUser, request: request, profile: profile)
    }

    /// What this call read for the user, else the cached profile (nil: none, or unknown).
    private func knownProfile(of userId: String, fresh: [String: UserProfile?]) -> UserProfile? {
        if let read = fresh[userId] { return read }
        return users.value(for: userId) ?? nil
    }

    /// Puts every id not yet cached into the caches with one look-up; says how that went, and
    /// returns the profiles it read, which this call uses even when they could not be cached.
    private func fill(
        requestIds: Set<String>, userIds: Set<String>, budget: Duration
    ) async -> (EnrichedEvent.Status, [String: UserProfile?]) {
        let missingRequests = requestIds.filter { requests.value(for: $0) == nil }
        var missingUsers = userIds.filter { users.value(for: $0) == nil }
        // Users behind cached requests may still need a look-up.
        for id in requestIds {
            if let userId = requests.value(for: id)??.userId, users.value(for: userId) == nil { missingUsers.insert(userId) }
        }
        guard !missingRequests.isEmpty || !missingUsers.isEmpty else { return (.complete, [:]) }
        // A profile change announced while the look-up runs may not be in what it read.
        let generation = users.generation
        do {
            let source = self.source
            let (requestIds, userIds) = (missingRequests.sorted(), missingUsers.sorted())
            let found = try await withDeadline(budget) {
                try await source.lookUp(requestIds: requestIds, userIds: userIds)
            }
            // Absent rows are cached too, so unknown ids do not hit the database on every event.
            for id in missingRequests { requests.insert(found.requests[id], for: id) }
            for request in found.requests.values {
                if let userId = request.userId { missingUsers.insert(userId) }
            }
            // If one was announced, what was read is not cached: this call overlapped the change and
            // may use either state, but later calls must not see the older one.
            var fresh: [String: UserProfile?] = [:]
            for id in missingUsers.union(found.users.keys) {
                fresh[id] = .some(found.users[id])
                users.insert(found.users[id], for: id, unlessChangedSince: generation)
            }
            return (.complete, fresh)
        } catch is DeadlineExceeded {
            logger.warning("enrichment timed out", metadata: ["budget": "\(budget)"])
            return (.timedOut, [:])
        } catch {
            logger.warning("enrichment failed", metadata: ["error": "\(error)"])
            return (.failed, [:])
        }
    }

    /// Forgets a user, e.g. after a consent change or erasure.
    public func invalidate(userId: String) { users.remove(userId) }

    /// Forgets every profile, when changes may have been missed (the change listener reconnected).
    public func invalidateAllProfiles() { users.removeAll() }
}

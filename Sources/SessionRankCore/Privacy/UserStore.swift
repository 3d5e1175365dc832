/// Why a user store call failed: the store did not answer in time or refused the call. The
/// client's error (or `DeadlineExceeded`) is kept, so the cause is not lost at the boundary.
public enum UserStoreError: Error, CustomStringConvertible {
    case unavailable(any Error)

    public var underlying: any Error {
        switch self {
        case .unavailable(let error): error
        }
    }

    public var description: String { "\(underlying)" }
}

/// Port: a logged-in user's own rows, for the privacy endpoints: consent changes, export and
/// erasure. PostgreSQL in production (`PostgresUserStore` in SessionRankAdapters);
/// `UserStoreContract` in the tests holds every implementation to the same behaviour. Every
/// call ends: with its answer, or with `UserStoreError` when the store is down or does not answer.
/// A change must reach every replica's profile cache once it is stored (the adapter's way is
/// `pg_notify`, heard by `ProfileChangeListener`).
public protocol UserStore: Sendable {
    /// Sets each consent that is not nil and keeps the other; creates the user when the store
    /// holds none yet. Returns the profile as stored after the change.
    func setConsent(userId: String, personalization: Bool?, analytics: Bool?) async throws(UserStoreError) -> UserProfile
    /// The user's profile; nil when none is stored.
    func profile(userId: String) async throws(UserStoreError) -> UserProfile?
    /// The backend's requests made by the user, oldest first.
    func requests(userId: String) async throws(UserStoreError) -> [BackendRequest]
    /// Deletes the profile and unlinks the user from every request. Returns whether a profile existed.
    func erase(userId: String) async throws(UserStoreError) -> Bool
}

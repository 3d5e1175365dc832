/// How one request ended. Failures carry a short, stable kind so the summary can count them
/// (`connect`, `closed`, `http_503`, `bad_body`, `rejected_events`, ...).
public enum Outcome: Sendable, Equatable {
    case success
    case failure(String)
    case timeout

    public var isSuccess: Bool { self == .success }
}

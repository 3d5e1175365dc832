import NIOCore
import NIOPosix
import Synchronization

/// Thrown when an operation did not finish within its time budget.
public struct DeadlineExceeded: Error, CustomStringConvertible, Sendable {
    public let budget: Duration
    public var description: String { "no answer within \(budget)" }
}

/// Runs `operation` and returns its result, or throws `DeadlineExceeded` once `budget` has passed.
///
/// Unlike a task group, this does not wait for the operation to notice cancellation: a client
/// stuck on a paused server must not hold the request past its budget. The operation is
/// cancelled and left to finish on its own.
public func withDeadline<Value: Sendable>(
    _ budget: Duration, operation: @escaping @Sendable () async throws -> Value
) async throws -> Value {
    let race = DeadlineRace()
    return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Value, any Error>) in
        // The timer is an event-loop scheduled task, not a sleeping Swift task: this runs
        // several times per request, and a sleeping task costs a dispatch timer and a job.
        let loop = MultiThreadedEventLoopGroup.currentEventLoop ?? MultiThreadedEventLoopGroup.singleton.any()
        let timer = loop.scheduleTask(in: TimeAmount(budget)) {
            if let work = race.claim() {
                work?.cancel()
                continuation.resume(throwing: DeadlineExceeded(budget: budget))
            }
        }
        let work = Task {
            let result: Result<Value, any Error>
            do { result = .success(try await operation()) } catch { result = .failure(error) }
            if race.claim() != nil {
                timer.cancel()
                continuation.resume(with: result)
            }
        }
        race.setWork(work)
    }
}

/// Lets exactly one of the two racing tasks resume the continuation.
private final class DeadlineRace: Sendable {
    private struct State {
        var claimed = false
        var work: Task<Void, Never>?
    }

    private let state = Mutex(State())

    func setWork(_ work: Task<Void, Never>) {
        let cancelNow = state.withLock { state in
            state.work = work
            return state.claimed
        }
        // The timer may have fired before the work task was recorded.
        if cancelNow { work.cancel() }
    }

    /// Returns nil when the other side already won; otherwise the work task, if recorded yet.
    func claim() -> Task<Void, Never>?? {
        state.withLock { state in
            guard !state.claimed else { return nil }
            state.claimed = true
            return .some(state.work)
        }
    }
}

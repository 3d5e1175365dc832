import NIOCore
import NIOPosix
import Synchronization

/// Collects the delivery reports of one request's records. The request waits for all of them
/// for at most its acknowledgement budget; `whenAllReported` runs once every report is in,
/// whether or not anybody still waits, so a record the broker acknowledges after the answer
/// went out is still confirmed in the session store.
final class DeliveryTracker: Sendable {
    /// What the broker said about the records, by index; nil where no report came yet.
    struct Outcome: Sendable {
        var delivered: [Bool?]
        var allDelivered: Bool { delivered.allSatisfy { $0 == true } }
    }

    private struct State {
        var delivered: [Bool?]
        var expected: Int
        var reported = 0
        var waiter: CheckedContinuation<Outcome?, Never>?
        var timer: Scheduled<Void>?
        var finished = false
    }

    private let state: Mutex<State>
    private let whenAllReported: @Sendable (Outcome) -> Void

    init(count: Int, whenAllReported: @escaping @Sendable (Outcome) -> Void) {
        state = Mutex(State(delivered: Array(repeating: nil, count: count), expected: count))
        self.whenAllReported = whenAllReported
    }

    /// Publishing stopped part-way: only the first `count` records were handed over and will report.
    func expectOnly(_ count: Int) {
        finishIfComplete { state in state.expected = count }
    }

    /// Called by the producer, once per handed-over record.
    func report(index: Int, delivered: Bool) {
        finishIfComplete { state in
            state.delivered[index] = delivered
            state.reported += 1
        }
    }

    /// Waits until every handed-over record is reported, or `budget` passes (nil).
    func wait(budget: Duration) async -> Outcome? {
        await withCheckedContinuation { (continuation: CheckedContinuation<Outcome?, Never>) in
            let outcome: Outcome? = state.withLock { state in
                if state.finished { return Outcome(delivered: state.delivered) }
                state.waiter = continuation
                return nil
            }
            if let outcome { return continuation.resume(returning: outcome) }
            // An event-loop timer: a sleeping task would cost a dispatch timer per request.
            let loop = MultiThreadedEventLoopGroup.currentEventLoop ?? MultiThreadedEventLoopGroup.singleton.any()
            let timer = loop.scheduleTask(in: TimeAmount(budget)) { [self] () -> Void in
                let timedOut = state.withLock { state -> CheckedContinuation<Outcome?, Never>? in
                    defer { state.waiter = nil }
                    return state.waiter
                }
                timedOut?.resume(returning: nil)
            }
            state.withLock { state in
                if state.waiter != nil { state.timer = timer } else { timer.cancel() }
            }
        }
    }

    private func finishIfComplete(_ change: (inout State) -> Void) {
        let (completed, waiter, timer): (Outcome?, CheckedContinuation<Outcome?, Never>?, Scheduled<Void>?) = state.withLock { state in
            change(&state)
            guard !state.finished, state.reported >= state.expected else { return (nil, nil, nil) }
            state.finished = true
            defer { (state.waiter, state.timer) = (nil, nil) }
            return (Outcome(delivered: state.delivered), state.waiter, state.timer)
        }
        guard let completed else { return }
        timer?.cancel()
        waiter?.resume(returning: completed)
        whenAllReported(completed)
    }
}

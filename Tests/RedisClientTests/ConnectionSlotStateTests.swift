import NIOPosix
import Testing

@testable import RedisClient

@Suite("Connection slot state")
struct ConnectionSlotStateTests {
    private let eventLoop = MultiThreadedEventLoopGroup.singleton.next()

    @Test func commandsWaitForAFirstAttemptButNotForARetryDuringAnOutage() {
        var state = ConnectionSlotState()
        guard case .notStarted = state.lease() else { Issue.record("a new slot is not started"); return }

        // start() prepares the first attempt; the connection task then picks up the same promise.
        let first = eventLoop.makePromise(of: RedisConnection.self)
        let prepared = state.prepareFirstAttempt(first)
        #expect(prepared)
        guard case .pending = state.lease() else { Issue.record("a first attempt should be awaited"); return }
        let reused = state.startConnecting(afterFailure: false) { eventLoop.makePromise() }
        #expect(reused == first)
        first.fail(ConnectionSlot.shutDownError)

        let down = RedisError(code: .connectionUnavailable, message: "down")
        let recorded = state.disconnected(down)
        #expect(recorded)
        guard case .unavailable(let error) = state.lease() else { Issue.record("backoff should fail fast"); return }
        #expect(error == down)

        let retry = eventLoop.makePromise(of: RedisConnection.self)
        let retrying = state.startConnecting(afterFailure: true) { retry }
        #expect(retrying == retry)
        guard case .unavailable(let retryError) = state.lease() else { Issue.record("a retry should fail fast"); return }
        #expect(retryError.code == .connectionUnavailable)

        // Shutting down hands back the pending attempt so its waiters can be failed.
        let leftovers = state.shutDown()
        #expect(leftovers.attempt == retry)
        #expect(leftovers.connection == nil)
        retry.fail(ConnectionSlot.shutDownError)
    }

    @Test func aShutDownSlotRefusesToReconnect() {
        var state = ConnectionSlotState()
        let leftovers = state.shutDown()
        #expect(leftovers.connection == nil && leftovers.attempt == nil)
        let attempt = eventLoop.makePromise(of: RedisConnection.self)
        let prepared = state.prepareFirstAttempt(attempt)
        #expect(!prepared)
        let started = state.startConnecting(afterFailure: false) { attempt }
        #expect(started == nil)
        let recorded = state.disconnected(RedisError(code: .connectionUnavailable, message: "down"))
        #expect(!recorded)
        guard case .shutDown = state.lease() else { Issue.record("expected shutDown"); return }
        attempt.fail(ConnectionSlot.shutDownError)
    }
}

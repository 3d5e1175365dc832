import NIOCore

/// The protocol engine of one connection. It lives on the connection's event loop: requests are
/// written in order and their promises queued; incoming bytes go through hiredis and each
/// complete reply resolves the oldest queued promise (Redis answers strictly in order).
///
/// A command that outlives its deadline fails at once, but its place in the queue stays as an
/// abandoned slot: its reply still arrives, in order, and is discarded. Resetting the connection
/// instead would fail every command pipelined behind it, so one slow reply on a busy connection
/// would become dozens of errors. Only when the oldest abandoned reply is overdue by
/// `unresponsiveLimit` is the server presumed gone and the connection reset.
final class RedisChannelHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// A promise waiting for its reply(ies).
    private enum Waiter {
        case single(EventLoopPromise<RESPValue>, deadline: NIODeadline)
        case batch(BatchCollector, deadline: NIODeadline)
        /// Timed out and already failed; `replies` replies are still due and will be dropped.
        case abandoned(replies: Int, since: NIODeadline)

        var deadline: NIODeadline {
            switch self {
            case .single(_, let deadline), .batch(_, let deadline): deadline
            case .abandoned: .distantFuture
            }
        }

        var repliesDue: Int {
            switch self {
            case .single: 1
            case .batch(let collector, _): collector.expected - collector.replies.count
            case .abandoned(let replies, _): replies
            }
        }

        func fail(_ error: RedisError) {
            switch self {
            case .single(let promise, _): promise.fail(error)
            case .batch(let collector, _): collector.promise.fail(error)
            case .abandoned: break
            }
        }
    }

    /// Collects a pipeline's replies in place (a class, so appending never copies the array).
    private final class BatchCollector {
        let promise: EventLoopPromise<[RESPValue]>
        let expected: Int
        var replies: [RESPValue]

        init(promise: EventLoopPromise<[RESPValue]>, expected: Int) {
            self.promise = promise
            self.expected = expected
            self.replies = []
            replies.reserveCapacity(expected)
        }
    }

    private let reader = HiredisReader()
    private let peerDescription: String
    private let unresponsiveLimit: TimeAmount
    private var waiters = CircularBuffer<Waiter>(initialCapacity: 16)
    private var context: ChannelHandlerContext?
    /// Set once the connection is unusable; later requests fail with it at once.
    private var closedError: RedisError?
    private var flushScheduled = false
    private var timeoutTimer: Scheduled<Void>?
    private var timeoutTimerDeadline: NIODeadline?

    /// `unresponsiveLimit`: how long a timed-out command's reply may stay overdue before the
    /// connection is reset.
    init(peerDescription: String, unresponsiveLimit: Duration) {
        self.peerDescription = peerDescription
        self.unresponsiveLimit = TimeAmount(unresponsiveLimit)
    }

    // MARK: Requests (called on the event loop by RedisConnection)

    func enqueue(_ bytes: ByteBuffer, promise: EventLoopPromise<RESPValue>, deadline: NIODeadline) {
        enqueue(bytes, waiter: .single(promise, deadline: deadline))
    }

    func enqueue(_ bytes: ByteBuffer, replyCount: Int, promise: EventLoopPromise<[RESPValue]>, deadline: NIODeadline) {
        enqueue(bytes, waiter: .batch(BatchCollector(promise: promise, expected: replyCount), deadline: deadline))
    }

    /// Fails everything in flight with `error` and closes the connection.
    func close(with error: RedisError) {
        failAll(with: error)
        context?.close(promise: nil)
    }

    private func enqueue(_ bytes: ByteBuffer, waiter: Waiter) {
        guard let context, closedError == nil else {
            waiter.fail(closedError ?? connectionClosed("the connection is not open"))
            return
        }
        waiters.append(waiter)
        armTimeoutTimer(for: waiter.deadline)
        context.write(wrapOutboundOut(bytes), promise: nil)
        // Requests from many tasks arrive as separate event loop tasks; one flush after all of
        // them that are already queued turns many small writes into one system call.
        if !flushScheduled {
            flushScheduled = true
            context.eventLoop.assumeIsolated().execute {
                self.flushScheduled = false
                self.context?.flush()
            }
        }
    }

    // MARK: Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        failAll(with: connectionClosed("the connection was closed"))
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(with: connectionClosed("Redis closed the connection"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failAll(with: connectionClosed("the connection failed (\(error))"))
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        do {
            try buffer.withUnsafeReadableBytes { bytes in try reader.feed(bytes) }
            // Stop as soon as the connection is failed: later replies would have no owner.
            while closedError == nil, let reply = try reader.nextReply() {
                deliver(reply)
            }
        } catch let error as RedisError {
            close(with: error)
        } catch {
            close(with: RedisError(code: .protocolError, message: "Reading a Redis reply failed: \(error)"))
        }
    }

    private func deliver(_ reply: RESPValue) {
        guard let waiter = waiters.popFirst() else {
            // Without RESP3 push or pub/sub, an unrequested reply means the stream lost sync.
            close(
                with: RedisError(
                    code: .protocolError,
                    message: "Redis at \(peerDescription) sent a reply nobody asked for (\(reply)); the connection was reset."))
            return
        }
        switch waiter {
        case .single(let promise, _):
            promise.succeed(reply)
        case .batch(let collector, _):
            collector.replies.append(reply)
            if collector.replies.count == collector.expected {
                collector.promise.succeed(collector.replies)
            } else {
                waiters.prepend(waiter)
            }
        case .abandoned(let replies, let since):
            if replies > 1 { waiters.prepend(.abandoned(replies: replies - 1, since: since)) }
        }
        if waiters.isEmpty { cancelTimeoutTimer() }
    }

    // MARK: Timeouts

    /// One timer for the whole queue, set to the earliest deadline it knows of; it re-arms itself
    /// for the next deadline when it fires early. This avoids a timer per command.
    private func armTimeoutTimer(for deadline: NIODeadline) {
        if let armed = timeoutTimerDeadline, armed <= deadline { return }
        guard let context else { return }
        timeoutTimer?.cancel()
        timeoutTimerDeadline = deadline
        timeoutTimer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
            self.timeoutTimerFired()
        }
    }

    private func cancelTimeoutTimer() {
        timeoutTimer?.cancel()
        timeoutTimer = nil
        timeoutTimerDeadline = nil
    }

    private func timeoutTimerFired() {
        timeoutTimer = nil
        timeoutTimerDeadline = nil
        let now = NIODeadline.now()
        var earliest = NIODeadline.distantFuture
        var timedOut: RedisError?
        for index in waiters.indices {
            let waiter = waiters[index]
            if case .abandoned = waiter { continue }
            if waiter.deadline <= now {
                timedOut = timedOut ?? RedisError(
                    code: .commandTimedOut,
                    message: "Redis at \(peerDescription) did not reply within the command timeout. The command may "
                        + "still run; its late reply is discarded. Check the server's latency (SLOWLOG, CLIENT PAUSE, "
                        + "blocking commands) or raise the command timeout.")
                waiter.fail(timedOut!)
                waiters[index] = .abandoned(replies: waiter.repliesDue, since: now)
            } else {
                earliest = min(earliest, waiter.deadline)
            }
        }
        if case .abandoned(_, let since) = waiters.first {
            if now - since >= unresponsiveLimit {
                resetUnresponsive()
                return
            }
            earliest = min(earliest, since + unresponsiveLimit)
        }
        if !waiters.isEmpty { armTimeoutTimer(for: earliest) }
    }

    /// The server has owed a reply for too long: fail everything and let the pool reconnect.
    private func resetUnresponsive() {
        let reset = connectionClosed("the connection was reset because Redis left a command unanswered for \(unresponsiveLimit.nanoseconds / 1_000_000) ms")
        // Commands that still reach this handler before the pool notices the close get `reset`.
        closedError = reset
        cancelTimeoutTimer()
        while let waiter = waiters.popFirst() {
            waiter.fail(reset)
        }
        context?.close(promise: nil)
    }

    // MARK: Failure

    private func failAll(with error: RedisError) {
        if closedError == nil { closedError = error }
        cancelTimeoutTimer()
        while let waiter = waiters.popFirst() {
            waiter.fail(error)
        }
    }

    private func connectionClosed(_ why: String) -> RedisError {
        RedisError(
            code: .connectionClosed,
            message: "Lost the connection to Redis at \(peerDescription): \(why). The command may or may not have "
                + "run; retry it if it is idempotent. The client reconnects on its own.")
    }
}

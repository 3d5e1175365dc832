import NIOCore
import NIOHTTP1
import NIOPosix
import LoadCore

/// Keep-alive connections of one client thread, opened on demand up to a bound.
/// Requests wait in arrival order for a free connection; that wait is part of their
/// measured latency, because latency starts at the intended send time.
final class ConnectionPool {
    /// A request waiting for a connection.
    struct Waiter {
        var request: OutgoingRequest
        /// Uptime nanoseconds by which it must have completed.
        var deadline: UInt64
        var onSend: (UInt64) -> Void
        var completion: (Result<IncomingResponse, RequestFailure>) -> Void
    }

    private let eventLoop: any EventLoop
    private let target: LoopbackTarget
    private let maxConnections: Int
    private var idle: [ClientConnection] = []
    private var all: [ObjectIdentifier: ClientConnection] = [:]
    private var connecting = 0
    private var waiters = CircularBuffer<Waiter>()
    private(set) var opened = 0
    private(set) var connectFailures = 0

    init(eventLoop: any EventLoop, target: LoopbackTarget, maxConnections: Int) {
        self.eventLoop = eventLoop
        self.target = target
        self.maxConnections = maxConnections
    }

    var inFlight: Int { all.values.filter(\.isBusy).count }
    var hasWork: Bool { !waiters.isEmpty || all.values.contains(where: \.isBusy) }

    func execute(_ waiter: Waiter) {
        if let connection = idle.popLast() {
            dispatch(waiter, on: connection)
            return
        }
        waiters.append(waiter)
        if all.count + connecting < maxConnections { openConnection() }
    }

    private func dispatch(_ waiter: Waiter, on connection: ClientConnection) {
        waiter.onSend(NIODeadline.now().uptimeNanoseconds)
        connection.send(waiter.request, deadline: waiter.deadline) { [self] result in
            if case .success(let response) = result, response.keepAlive {
                release(connection)
            } else {
                connection.close()
            }
            waiter.completion(result)
        }
    }

    private func release(_ connection: ClientConnection) {
        guard connection.isOpen else { return }
        if let next = waiters.popFirst() {
            dispatch(next, on: connection)
        } else {
            idle.append(connection)
        }
    }

    private func openConnection() {
        connecting += 1
        let hostHeader = target.hostHeader
        let future = ClientBootstrap(group: eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(2))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ResponseCollector())
                }
            }
            .connect(host: target.host, port: target.port)
        future.assumeIsolated().whenComplete { [self] result in
            connecting -= 1
            switch result {
            case .success(let channel):
                guard let collector = try? channel.pipeline.syncOperations.handler(type: ResponseCollector.self) else {
                    channel.close(promise: nil)
                    return
                }
                opened += 1
                let connection = ClientConnection(channel: channel, collector: collector, hostHeader: hostHeader) { [self] closed in
                    forget(closed)
                }
                all[ObjectIdentifier(connection)] = connection
                release(connection)
            case .failure:
                connectFailures += 1
                // With no connection at all, nobody would ever serve the queue: fail it now.
                if all.isEmpty && connecting == 0 {
                    while let waiter = waiters.popFirst() { waiter.completion(.failure(.connect)) }
                }
            }
        }
    }

    private func forget(_ connection: ClientConnection) {
        all[ObjectIdentifier(connection)] = nil
        idle.removeAll { $0 === connection }
        // Replace a lost connection if requests are waiting.
        if !waiters.isEmpty && all.count + connecting < maxConnections { openConnection() }
    }

    /// Fails requests past their deadline: queued ones directly, in-flight ones by closing
    /// their connection (HTTP/1.1 cannot cancel one request).
    func expire(now: UInt64) {
        while let first = waiters.first, first.deadline <= now {
            waiters.removeFirst().completion(.failure(.timeout))
        }
        for connection in all.values where connection.isBusy && connection.deadline <= now {
            connection.failInFlight(.timeout)
            connection.close()
        }
    }

    /// Ends the run: everything still pending fails with `failure`, all connections close.
    func shutdown(failing failure: RequestFailure) {
        while let waiter = waiters.popFirst() { waiter.completion(.failure(failure)) }
        for connection in all.values {
            if connection.isBusy { connection.failInFlight(failure) }
            connection.close()
        }
        idle.removeAll()
    }
}

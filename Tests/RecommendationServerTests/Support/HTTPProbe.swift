import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A minimal HTTP/1.1 client over real sockets for the fault tests, which need to tell apart
/// what a general-purpose client hides: a refused connection, a connection closed before any
/// answer (and whether it had served requests before), and an answer.

struct ProbeRequest: Sendable {
    var method: HTTPMethod = .GET
    var path: String
    var body: String? = nil
    /// Extra request headers, e.g. the storefront key.
    var headers: [(String, String)] = []
}

struct ProbeResponse: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: String
    /// From the request's write to the end of the answer, both seen on the connection's event
    /// loop, so a busy test process does not add its own scheduling delays.
    var latency: Duration
}

enum ProbeOutcome: Sendable {
    /// An answer (with its latency).
    case answered(ProbeResponse)
    /// No connection could be made (nothing listening).
    case refused
    /// The request was written, then the connection closed (or reset) with no answer.
    /// `reused`: the connection had answered earlier requests (an idle keep-alive connection).
    case closedBeforeAnswer(reused: Bool)
    case timedOut
    /// Open-loop only: every allowed connection was busy, so the client could not send.
    case clientSaturated

    var response: ProbeResponse? {
        if case .answered(let response) = self { return response }
        return nil
    }

    var latency: Duration? { response?.latency }
}

private struct ProbeClosed: Error {}
private struct ProbeTimedOut: Error {}

/// What the handler is asked to send: the request and where its answer goes.
private struct PendingExchange: Sendable {
    var head: HTTPRequestHead
    var body: ByteBuffer?
    var promise: EventLoopPromise<ProbeResponse>
}

/// Sends one request at a time and completes its promise with the answer, or fails it when the
/// connection closes first.
private final class ProbeHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = PendingExchange
    typealias OutboundOut = HTTPClientRequestPart

    private var pending: EventLoopPromise<ProbeResponse>?
    private var sentAt = ContinuousClock.now
    private var head: HTTPResponseHead?
    private var body = ByteBuffer()

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let exchange = unwrapOutboundIn(data)
        pending = exchange.promise
        sentAt = .now
        context.write(wrapOutboundOut(.head(exchange.head)), promise: nil)
        if let body = exchange.body { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        context.write(wrapOutboundOut(.end(nil)), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.clear()
        case .body(var part):
            body.writeBuffer(&part)
        case .end:
            guard let head, let promise = pending else { return }
            pending = nil
            self.head = nil
            promise.succeed(ProbeResponse(
                status: Int(head.status.code), headers: head.headers, body: String(buffer: body), latency: .now - sentAt))
            if !head.isKeepAlive { context.close(promise: nil) }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        pending?.fail(ProbeClosed())
        pending = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Resets and the like: the close that follows fails the pending request.
        context.close(promise: nil)
    }
}

/// One keep-alive connection; one request at a time.
final class ProbeConnection: Sendable {
    let channel: any Channel
    private let answered = Atomic<Int>(0)

    private init(channel: any Channel) {
        self.channel = channel
    }

    static func connect(host: String = "127.0.0.1", port: Int) async -> ProbeConnection? {
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(2))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ProbeHandler())
                }
            }
        guard let channel = try? await bootstrap.connect(host: host, port: port).get() else { return nil }
        return ProbeConnection(channel: channel)
    }

    var isOpen: Bool { channel.isActive }
    /// Whether the connection answered a request before (so the next one goes on an idle connection).
    var isReused: Bool { answered.load(ordering: .relaxed) > 0 }

    func send(_ request: ProbeRequest, timeout: Duration = .seconds(10)) async -> ProbeOutcome {
        let reused = isReused
        var head = HTTPRequestHead(version: .http1_1, method: request.method, uri: request.path)
        head.headers.add(name: "Host", value: "127.0.0.1")
        for (name, value) in request.headers { head.headers.add(name: name, value: value) }
        var body: ByteBuffer?
        if let text = request.body {
            body = ByteBuffer(string: text)
            head.headers.add(name: "Content-Type", value: "application/json")
            head.headers.add(name: "Content-Length", value: "\(text.utf8.count)")
        } else if request.method == .POST || request.method == .PUT {
            head.headers.add(name: "Content-Length", value: "0")
        }
        let promise = channel.eventLoop.makePromise(of: ProbeResponse.self)
        let nanoseconds = timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
        let timer = channel.eventLoop.scheduleTask(in: .nanoseconds(nanoseconds)) {
            promise.fail(ProbeTimedOut())
        }
        channel.writeAndFlush(PendingExchange(head: head, body: body, promise: promise)).whenFailure { _ in
            promise.fail(ProbeClosed())
        }
        do {
            let response = try await promise.futureResult.get()
            timer.cancel()
            answered.add(1, ordering: .relaxed)
            return .answered(response)
        } catch is ProbeTimedOut {
            channel.close(promise: nil)
            return .timedOut
        } catch {
            timer.cancel()
            return .closedBeforeAnswer(reused: reused)
        }
    }

    func close() async {
        try? await channel.close()
    }
}

/// Keep-alive connections opened on demand up to `maxConnections`, for open-loop load: a
/// request takes an idle connection or opens one, and never waits for one to be free.
final class ProbeConnectionPool: Sendable {
    let port: Int
    let maxConnections: Int
    private let idle = Mutex<[ProbeConnection]>([])
    private let open = Atomic<Int>(0)

    init(port: Int, maxConnections: Int) {
        self.port = port
        self.maxConnections = maxConnections
    }

    func send(_ request: ProbeRequest, timeout: Duration = .seconds(10)) async -> ProbeOutcome {
        var connection: ProbeConnection?
        while let candidate = idle.withLock({ $0.popLast() }) {
            if candidate.isOpen {
                connection = candidate
                break
            }
            open.subtract(1, ordering: .relaxed)
        }
        if connection == nil {
            guard open.add(1, ordering: .relaxed).newValue <= maxConnections else {
                open.subtract(1, ordering: .relaxed)
                return .clientSaturated
            }
            connection = await ProbeConnection.connect(port: port)
            if connection == nil {
                open.subtract(1, ordering: .relaxed)
                return .refused
            }
        }
        guard let connection else { return .refused }
        let outcome = await connection.send(request, timeout: timeout)
        if connection.isOpen {
            idle.withLock { $0.append(connection) }
        } else {
            open.subtract(1, ordering: .relaxed)
        }
        return outcome
    }

    func closeAll() async {
        let connections = idle.withLock { connections in
            defer { connections.removeAll() }
            return connections
        }
        for connection in connections { await connection.close() }
    }
}

/// Latency percentiles of a sample (nearest rank).
func percentile(_ values: [Duration], _ fraction: Double) -> Duration? {
    guard !values.isEmpty else { return nil }
    let sorted = values.sorted()
    let rank = min(sorted.count - 1, max(0, Int((fraction * Double(sorted.count)).rounded(.up)) - 1))
    return sorted[rank]
}

extension Duration {
    var inMilliseconds: Double {
        Double(components.seconds) * 1_000 + Double(components.attoseconds) / 1e15
    }
}

/// "12.3 ms", or "-" for no sample.
func formatMilliseconds(_ value: Duration?) -> String {
    value.map { String(format: "%.1f ms", $0.inMilliseconds) } ?? "-"
}

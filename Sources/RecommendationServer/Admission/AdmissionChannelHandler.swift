import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTPTypes
import SessionRankCore

/// Admission control in the connection's pipeline, on its event loop: when an endpoint already
/// has `limiter.limit` requests in flight, one more is answered `503 overloaded` with
/// `Retry-After` right here, as the request is read, and never reaches the router. A refusal in
/// a middleware would first wait in the queue of jobs that overloads the service; here it waits
/// at most for the event loop to finish its current batch of jobs (Swift concurrency runs on
/// the same loops in `sessionrank serve`).
///
/// A request counts from its head until the end of its response. Requests pipelined behind one
/// still in flight on the same connection are passed on uncounted rather than refused, because
/// a refusal written now would overtake the earlier answer.
final class AdmissionChannelHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let limiter: InFlightLimiter
    private let onShed: @Sendable (String) -> Void
    /// The requests passed on and not yet answered, oldest first, with the count each holds (nil: none).
    private var passedOn: [String?] = []
    /// The body of a refused request is read and dropped.
    private var droppingBody = false

    init(limiter: InFlightLimiter, onShed: @escaping @Sendable (String) -> Void) {
        self.limiter = limiter
        self.onShed = onShed
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        switch part {
        case .head(let request):
            guard let endpoint = AdmissionEndpoints.endpoint(of: request.path ?? "/") else {
                passedOn.append(nil)
                break
            }
            if limiter.tryAcquire(endpoint) {
                passedOn.append(endpoint)
            } else if !passedOn.isEmpty {
                passedOn.append(nil)
            } else {
                droppingBody = true
                onShed(endpoint)
                let closing = request.headerFields[.connection]?.lowercased().contains("close") == true
                refuse(context: context, endpoint: endpoint, thenClose: closing)
                return
            }
        case .body, .end:
            if droppingBody {
                if case .end = part { droppingBody = false }
                return
            }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), !passedOn.isEmpty, let endpoint = passedOn.removeFirst() {
            limiter.release(endpoint)
        }
        context.write(data, promise: promise)
    }

    func channelInactive(context: ChannelHandlerContext) {
        releaseAll()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        releaseAll()
    }

    private func releaseAll() {
        for endpoint in passedOn.compactMap({ $0 }) { limiter.release(endpoint) }
        passedOn.removeAll()
    }

    /// Writes the 503; the connection stays open for the client's next request unless it asked to close.
    private func refuse(context: ChannelHandlerContext, endpoint: String, thenClose: Bool) {
        let body = Self.body(endpoint)
        var response = HTTPResponse(status: .serviceUnavailable)
        response.headerFields[.contentType] = "application/json; charset=utf-8"
        response.headerFields[.contentLength] = "\(body.readableBytes)"
        response.headerFields[.retryAfter] = "1"
        response.headerFields[.requestID] = RequestID().description
        response.headerFields[.server] = "sessionrank"
        if thenClose {
            response.headerFields[.connection] = "close"
        }
        context.write(wrapOutboundOut(.head(response)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if thenClose {
            let channel = context.channel
            written.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    /// The JSON error, the same shape as every other (`APIError`).
    private static let bodies: [String: ByteBuffer] = Dictionary(uniqueKeysWithValues: AdmissionEndpoints.all.map { endpoint in
        let error = APIError(
            status: .serviceUnavailable, code: "overloaded",
            message: "too many requests in flight on \(endpoint); retry after the Retry-After interval")
        return (endpoint, ByteBuffer(bytes: error.jsonBody))
    })

    private static func body(_ endpoint: String) -> ByteBuffer {
        bodies[endpoint] ?? bodies["other"]!
    }
}

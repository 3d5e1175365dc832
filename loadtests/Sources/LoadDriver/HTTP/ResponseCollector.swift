import NIOCore
import NIOHTTP1

/// Gathers one HTTP/1.1 response at a time and hands it to the connection.
/// Lives on its channel's event loop; never shared.
final class ResponseCollector: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart

    /// Set by the connection for the request in flight.
    var onResponse: ((Result<IncomingResponse, RequestFailure>) -> Void)?
    /// Called once when the channel goes away.
    var onClose: (() -> Void)?

    private var head: HTTPResponseHead?
    private var body: ByteBuffer?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = nil
        case .body(var part):
            if body == nil { body = part } else { body!.writeBuffer(&part) }
        case .end:
            guard let head else { return }
            let response = IncomingResponse(
                status: Int(head.status.code), body: body ?? ByteBuffer(), keepAlive: head.isKeepAlive
            )
            self.head = nil
            body = nil
            let callback = onResponse
            onResponse = nil
            callback?(.success(response))
        }
    }

    func failPending(_ failure: RequestFailure) {
        let callback = onResponse
        onResponse = nil
        callback?(.failure(failure))
    }

    func channelInactive(context: ChannelHandlerContext) {
        let callback = onResponse
        onResponse = nil
        callback?(.failure(.closed))
        onClose?()
        onClose = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Any protocol or socket error ends this connection; the request in flight fails as "closed".
        context.close(promise: nil)
    }
}

import KafkaClient
import NIOCore
import NIOPosix

/// Listens on a fixed address and pipes every accepted connection, byte for byte, to an
/// upstream address. librdkafka's mock brokers only listen on ephemeral ports; this gives
/// `kafka-dev` a stable bootstrap port. Clients bootstrap through it, and the Metadata
/// response then points them at the broker's own (also loopback) address.
final class TCPForwarder: Sendable {
    private let serverChannel: any Channel

    var localPort: Int? { serverChannel.localAddress?.port }

    private init(serverChannel: any Channel) {
        self.serverChannel = serverChannel
    }

    static func start(
        host: String,
        port: Int,
        upstreamHost: String,
        upstreamPort: Int,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> TCPForwarder {
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            // Read from the client only once the upstream connection exists (see ByteRelayHandler).
            .childChannelOption(.autoRead, value: false)
            .childChannelInitializer { inbound in
                ClientBootstrap(group: inbound.eventLoop)
                    .channelOption(.autoRead, value: false)
                    .connect(host: upstreamHost, port: upstreamPort)
                    .flatMapThrowing { upstream in
                        // Both channels share one event loop, so the pair never needs a lock.
                        let (inboundRelay, upstreamRelay) = ByteRelayHandler.makePair()
                        try inbound.pipeline.syncOperations.addHandler(inboundRelay)
                        try upstream.pipeline.syncOperations.addHandler(upstreamRelay)
                        // From here on NIO's auto-read asks the relays, which read only while the partner is writable.
                        try inbound.syncOptions?.setOption(.autoRead, value: true)
                        try upstream.syncOptions?.setOption(.autoRead, value: true)
                    }
            }
            .bind(host: host, port: port)
            .get()
        return TCPForwarder(serverChannel: channel)
    }

    /// Stops listening. Open connections end when either side closes.
    func close() async throws {
        try await serverChannel.close()
    }
}

/// One end of a byte pipe: what this channel reads is written to the partner channel.
/// Back-pressure: a side only reads while its partner's channel is writable.
private final class ByteRelayHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var partner: ByteRelayHandler?
    private var context: ChannelHandlerContext?
    private var readPending = false

    static func makePair() -> (ByteRelayHandler, ByteRelayHandler) {
        let first = ByteRelayHandler()
        let second = ByteRelayHandler()
        first.partner = second
        second.partner = first
        return (first, second)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        partner = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        partner?.partnerWrite(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        partner?.partnerFlush()
    }

    func channelInactive(context: ChannelHandlerContext) {
        partner?.partnerClose()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { partner?.partnerBecameWritable() }
    }

    func read(context: ChannelHandlerContext) {
        if partner?.isWritable ?? false {
            context.read()
        } else {
            readPending = true
        }
    }

    private var isWritable: Bool { context?.channel.isWritable ?? false }

    private func partnerWrite(_ data: NIOAny) {
        context?.write(data, promise: nil)
    }

    private func partnerFlush() {
        context?.flush()
    }

    private func partnerClose() {
        context?.close(promise: nil)
    }

    private func partnerBecameWritable() {
        if readPending, let context {
            readPending = false
            context.read()
        }
    }
}

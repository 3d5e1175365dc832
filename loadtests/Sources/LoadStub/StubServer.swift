import NIOCore
import NIOHTTP1
import NIOPosix

/// A tiny HTTP/1.1 server on loopback that imitates SessionRank's contract, so the
/// harness can be tested (and its own overhead measured) without the real service.
public final class StubServer: Sendable {
    public let port: Int
    private let channel: any Channel
    private let group: MultiThreadedEventLoopGroup

    private init(port: Int, channel: any Channel, group: MultiThreadedEventLoopGroup) {
        self.port = port
        self.channel = channel
        self.group = group
    }

    /// Binds 127.0.0.1:`port` (0 picks a free port).
    public static func start(port: Int = 0, threads: Int = 1, options: StubOptions = StubOptions()) async throws -> StubServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        let behaviour = StubBehaviour(options: options)
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(StubHandler(behaviour: behaviour))
                }
            }
            .bind(host: "127.0.0.1", port: port)
            .get()
        return StubServer(port: channel.localAddress?.port ?? port, channel: channel, group: group)
    }

    public func shutdown() async throws {
        try await channel.close()
        try await group.shutdownGracefully()
    }
}

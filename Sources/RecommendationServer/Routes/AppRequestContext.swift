import Hummingbird
import NIOCore
import SessionRankCore

/// The request context of every route: Hummingbird's basics plus the peer's address, which the
/// rate limiter keys clients by.
public struct AppRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}

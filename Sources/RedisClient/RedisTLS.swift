import NIOCore
import NIOSSL
import NIOTLS

/// How the client encrypts its connections (a `rediss://` or `rediss+cluster://` URL turns it on).
/// The server's certificate is checked against ``caFile`` (or the system's trust store) and, with
/// ``Verification-swift.enum/full`` (the default), against the host name too.
public struct RedisTLSConfiguration: Sendable, Hashable {
    public enum Verification: String, Sendable, Hashable, CaseIterable {
        /// The chain and the host name (or ``RedisTLSConfiguration/serverName``), like libpq's verify-full.
        case full
        /// The chain only: any certificate the CA signed is accepted, whatever name it carries.
        case ca
    }

    /// PEM file of the CA certificates to trust; nil: the system's trust store.
    public var caFile: String?
    /// PEM client certificate chain and its key, for servers that ask for one (`tls-auth-clients yes`).
    public var certificateFile: String?
    public var keyFile: String?
    public var verification: Verification
    /// The name the certificate must carry and the one sent as SNI, when it differs from the host
    /// connected to (e.g. an address). Nil: the host itself; an IP address is checked against the
    /// certificate's IP entries.
    public var serverName: String?

    public init(
        caFile: String? = nil, certificateFile: String? = nil, keyFile: String? = nil,
        verification: Verification = .full, serverName: String? = nil
    ) {
        self.caFile = caFile
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.verification = verification
        self.serverName = serverName
    }

    /// The setting a ``Invalid`` error is about.
    public enum Setting: String, Sendable {
        case caFile, certificateFile, keyFile, serverName
    }

    /// A setting that cannot work, with the reason; ``RedisClient`` reports it as an invalid configuration.
    public struct Invalid: Error, Sendable, CustomStringConvertible {
        public let setting: Setting
        public let message: String
        public var description: String { "`tls.\(setting.rawValue)`: \(message)" }
    }

    /// Loads the files as a connection would, to report a wrong setting before the first connection.
    public func validate() throws(Invalid) {
        _ = try makeContext()
    }

    /// Loads the files once; throws naming the setting that is wrong.
    func makeContext() throws(Invalid) -> RedisTLSContext {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = verification == .full ? .fullVerification : .noHostnameVerification
        if let caFile {
            do {
                let roots = try NIOSSLCertificate.fromPEMFile(caFile)
                guard !roots.isEmpty else { throw Invalid(setting: .caFile, message: "\(caFile) holds no PEM certificate") }
                tls.trustRoots = .certificates(roots)
            } catch let error as Invalid {
                throw error
            } catch {
                throw Invalid(setting: .caFile, message: "cannot read PEM certificates from \(caFile) (\(error))")
            }
        }
        switch (certificateFile, keyFile) {
        case (nil, nil):
            break
        case (let certificateFile?, let keyFile?):
            let chain: [NIOSSLCertificate]
            do {
                chain = try NIOSSLCertificate.fromPEMFile(certificateFile)
            } catch {
                throw Invalid(setting: .certificateFile, message: "cannot read a PEM certificate from \(certificateFile) (\(error))")
            }
            guard !chain.isEmpty else { throw Invalid(setting: .certificateFile, message: "\(certificateFile) holds no PEM certificate") }
            tls.certificateChain = chain.map { .certificate($0) }
            do {
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: keyFile, format: .pem))
            } catch {
                throw Invalid(setting: .keyFile, message: "cannot read a PEM private key from \(keyFile) (\(error))")
            }
        case (nil, _):
            throw Invalid(setting: .certificateFile, message: "is missing; a client key needs its certificate")
        case (_, nil):
            throw Invalid(setting: .keyFile, message: "is missing; a client certificate needs its key")
        }
        if let serverName {
            guard !serverName.isEmpty, !serverName.contains(" "), !Self.isIPAddress(serverName) else {
                throw Invalid(setting: .serverName, message: "must be a DNS name such as redis.internal (got '\(serverName)')")
            }
        }
        do {
            return RedisTLSContext(sslContext: try NIOSSLContext(configuration: tls), serverName: serverName)
        } catch {
            throw Invalid(setting: certificateFile == nil ? .caFile : .keyFile, message: "cannot set up TLS (\(error))")
        }
    }

    static func isIPAddress(_ host: String) -> Bool {
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return host.contains(":") || (parts.count == 4 && parts.allSatisfy { UInt8($0) != nil })
    }
}

/// The loaded TLS settings, shared by every connection of one client.
final class RedisTLSContext: Sendable {
    let sslContext: NIOSSLContext
    let serverName: String?

    init(sslContext: NIOSSLContext, serverName: String?) {
        self.sslContext = sslContext
        self.serverName = serverName
    }

    /// The handler for a connection to `host`: SNI and the name check use ``serverName`` or a DNS
    /// host; for an address NIOSSL checks the certificate's IP entries against the peer.
    func makeHandler(host: String) throws -> NIOSSLClientHandler {
        let name = serverName ?? (RedisTLSConfiguration.isIPAddress(host) ? nil : host)
        return try NIOSSLClientHandler(context: sslContext, serverHostname: name)
    }
}

/// Completes `handshake` when the TLS handshake is done, or fails it with the reason the channel
/// closed, so opening a connection reports a refused certificate instead of a later timeout.
final class TLSHandshakeWaiter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private let handshake: EventLoopPromise<Void>
    private var done = false

    init(handshake: EventLoopPromise<Void>) {
        self.handshake = handshake
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let tlsEvent = event as? TLSUserEvent, case .handshakeCompleted = tlsEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        finish { $0.succeed() }
        context.fireUserInboundEventTriggered(event)
        // Its job is done: replies no longer pass through it.
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish { $0.fail(error) }
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish { $0.fail(ChannelError.eof) }
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        finish { $0.fail(ChannelError.ioOnClosedChannel) }
    }

    private func finish(_ body: (EventLoopPromise<Void>) -> Void) {
        guard !done else { return }
        done = true
        body(handshake)
    }
}

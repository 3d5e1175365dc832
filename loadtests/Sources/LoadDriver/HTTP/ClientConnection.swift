import NIOCore
import NIOHTTP1

/// One keep-alive HTTP/1.1 connection carrying one request at a time (no pipelining,
/// as browsers and most storefront back ends do).
final class ClientConnection {
    let channel: any Channel
    private let collector: ResponseCollector
    let hostHeader: String
    /// When the request in flight must have finished (uptime nanoseconds), for the timeout sweep.
    var deadline: UInt64 = .max
    var isBusy = false
    private(set) var isOpen = true

    init(channel: any Channel, collector: ResponseCollector, hostHeader: String, onClose: @escaping (ClientConnection) -> Void) {
        self.channel = channel
        self.collector = collector
        self.hostHeader = hostHeader
        collector.onClose = {
            self.isOpen = false
            onClose(self)
        }
    }

    func send(_ request: OutgoingRequest, deadline: UInt64, completion: @escaping (Result<IncomingResponse, RequestFailure>) -> Void) {
        isBusy = true
        self.deadline = deadline
        collector.onResponse = { result in
            self.isBusy = false
            self.deadline = .max
            completion(result)
        }
        let head = request.head(hostHeader: hostHeader)
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        if let body = request.body {
            let buffer = channel.allocator.buffer(string: body)
            channel.write(HTTPClientRequestPart.body(.byteBuffer(buffer)), promise: nil)
        }
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
    }

    /// Completes the request in flight with a failure now (timeout, end of run).
    func failInFlight(_ failure: RequestFailure) {
        collector.failPending(failure)
    }

    func close() {
        if isOpen { channel.close(promise: nil) }
    }
}

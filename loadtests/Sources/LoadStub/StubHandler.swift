import Foundation
import NIOCore
import NIOHTTP1

/// Answers the service's HTTP contract with canned or lightly computed bodies.
final class StubHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let behaviour: StubBehaviour
    private var head: HTTPRequestHead?
    private var body = ByteBuffer()

    init(behaviour: StubBehaviour) {
        self.behaviour = behaviour
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.clear()
        case .body(var part):
            body.writeBuffer(&part)
        case .end:
            guard let head else { return }
            let (status, text) = route(head, body: Data(body.readableBytesView))
            let keepAlive = head.isKeepAlive
            let delay = behaviour.options.delayMicros
            if delay > 0 {
                context.eventLoop.assumeIsolated().scheduleTask(in: .microseconds(delay)) {
                    self.respond(context: context, status: status, text: text, keepAlive: keepAlive)
                }
            } else {
                respond(context: context, status: status, text: text, keepAlive: keepAlive)
            }
        }
    }

    private func respond(context: ChannelHandlerContext, status: HTTPResponseStatus, text: String, keepAlive: Bool) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Content-Length", value: String(text.utf8.count))
        if status == .serviceUnavailable { headers.add(name: "Retry-After", value: "1") }
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: text)))), promise: nil)
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive { done.whenComplete { [channel = context.channel] _ in channel.close(promise: nil) } }
    }

    private func route(_ head: HTTPRequestHead, body: Data) -> (HTTPResponseStatus, String) {
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        if path.hasPrefix("/health/") { return (.ok, #"{"status":"ok"}"#) }
        if behaviour.shouldFail() { return (.serviceUnavailable, #"{"error":"overloaded"}"#) }
        switch (head.method, path) {
        case (.POST, "/v1/events"):
            return (.accepted, "{\"accepted\":\(acceptEvents(body)),\"duplicates\":0,\"rejected\":[]}")
        case (.GET, "/v1/recommend"):
            return recommend(fields: Self.query(head.uri))
        case (.POST, "/v1/recommend"):
            let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:]
            return recommend(fields: object.compactMapValues { $0 as? String ?? ($0 as? Int).map(String.init) })
        case (.POST, "/v1/feedback"):
            return (.accepted, #"{"accepted":1}"#)
        case (.GET, _) where path.hasPrefix("/admin/"):
            guard head.headers.first(name: "Authorization")?.hasPrefix("Bearer ") == true else { return (.unauthorized, #"{"error":"token"}"#) }
            return (.ok, #"{"configVersion":"stub"}"#)
        default:
            return (.notFound, #"{"error":"not found"}"#)
        }
    }

    private func acceptEvents(_ body: Data) -> Int {
        let parsed = try? JSONSerialization.jsonObject(with: body)
        let events: [[String: Any]]
        if let list = parsed as? [[String: Any]] { events = list }
        else if let wrapper = parsed as? [String: Any], let list = wrapper["events"] as? [[String: Any]] { events = list }
        else if let one = parsed as? [String: Any] { events = [one] }
        else { events = [] }
        for event in events where event["type"] as? String == "product_view" {
            if let session = event["sessionId"] as? String, let item = event["itemId"] as? String {
                behaviour.recordView(sessionId: session, itemId: item)
            }
        }
        return events.count
    }

    private func recommend(fields: [String: String]) -> (HTTPResponseStatus, String) {
        guard let session = fields["sessionId"] else { return (.badRequest, #"{"error":"sessionId"}"#) }
        if let item = fields["itemId"] { behaviour.recordView(sessionId: session, itemId: item) }
        let items = behaviour.recommend(sessionId: session, userId: fields["userId"], limit: Int(fields["limit"] ?? "") ?? 10)
        let list = items.enumerated().map { "{\"itemId\":\"\($1)\",\"score\":\(1.0 / Double($0 + 1)),\"position\":\($0 + 1)}" }
        let body = "{\"recommendationId\":\"r-\(UInt64.random(in: 0...UInt64.max))\",\"items\":[\(list.joined(separator: ","))],\"modelVersion\":\"stub\",\"configVersion\":\"stub\",\"variant\":\"A\",\"degraded\":false}"
        return (.ok, body)
    }

    static func query(_ uri: String) -> [String: String] {
        guard let q = uri.split(separator: "?", maxSplits: 1).dropFirst().first else { return [:] }
        var fields: [String: String] = [:]
        for pair in q.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
            if parts.count == 2 { fields[parts[0]] = parts[1] }
        }
        return fields
    }
}

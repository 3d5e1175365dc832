import LoadCore
import NIOCore
import NIOHTTP1

/// One request as it will go on the wire, labelled with the endpoint it is reported under.
struct OutgoingRequest {
    var endpoint: String
    var method: HTTPMethod
    var uri: String
    var body: String?
    var bearerToken: String?
    /// Events in the body (`POST /v1/events`): the answer must accept exactly this many.
    var eventCount: Int = 0

    func head(hostHeader: String) -> HTTPRequestHead {
        var headers = HTTPHeaders()
        headers.reserveCapacity(5)
        headers.add(name: "Host", value: hostHeader)
        headers.add(name: "User-Agent", value: "sessionrank-load")
        if let body {
            headers.add(name: "Content-Type", value: "application/json")
            headers.add(name: "Content-Length", value: String(body.utf8.count))
        }
        if let bearerToken { headers.add(name: "Authorization", value: "Bearer " + bearerToken) }
        return HTTPRequestHead(version: .http1_1, method: method, uri: uri, headers: headers)
    }
}

/// A complete response: status and the whole body (the service's answers are small).
struct IncomingResponse {
    var status: Int
    var body: ByteBuffer
    var keepAlive: Bool

    var bodyBytes: [UInt8] { Array(body.readableBytesView) }
}

/// Why a request produced no response; `kind` is what the summary counts.
enum RequestFailure: Error {
    case connect
    case closed
    case timeout
    case drainCutoff

    var outcome: Outcome {
        switch self {
        case .connect: return .failure("connect")
        case .closed: return .failure("closed")
        case .timeout: return .timeout
        case .drainCutoff: return .failure("unfinished_at_end")
        }
    }
}

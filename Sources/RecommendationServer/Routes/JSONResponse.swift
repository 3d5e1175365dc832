import Hummingbird
import SessionRankCore

extension Response {
    /// An answer from JSON bytes that were written by hand for a hot path.
    static func json(_ bytes: [UInt8], status: HTTPResponse.Status = .ok) -> Response {
        var buffer = ByteBuffer()
        buffer.writeBytes(bytes)
        return Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8", .contentLength: String(bytes.count)],
            body: .init(byteBuffer: buffer))
    }
}

import Hummingbird
import Prometheus
import SessionRankCore

/// Serves `/metrics` in the Prometheus text format from the service's registry.
struct MetricsEndpoint: Sendable {
    let registry: PrometheusCollectorRegistry

    func register(in router: Router<some RequestContext>) {
        router.get("/metrics") { _, _ -> Response in
            var buffer: [UInt8] = []
            buffer.reserveCapacity(16_384)
            registry.emit(into: &buffer)
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: buffer))
            )
        }
    }
}

import Foundation
import KafkaClient
import KafkaDevBroker
import Synchronization
import TestSupport
import Testing

@testable import RecommendationServer
@testable import SessionRankAdapters
@testable import SessionRankCore

/// Issue 9, point 5: offered twice what it can serve, the real `sessionrank serve` sheds the
/// excess at once (503 + Retry-After from admission control), keeps serving near capacity,
/// keeps its memory bounded and does not crash.
@Suite(
    "Fault: overload at twice capacity",
    .enabled(if: IntegrationEnvironment.enabled(needs: "SESSIONRANK_POSTGRES_URL", "SESSIONRANK_REDIS_URL", "SESSIONRANK_KAFKA_BOOTSTRAP")),
    .serialized
)
struct OverloadTests {
    struct Result: Sendable {
        var intendedAt: ContinuousClock.Instant
        var outcome: ProbeOutcome
    }

    @Test("2x measured capacity on /v1/recommend: excess shed fast with 503, throughput near capacity, memory bounded, no crash")
    func twiceCapacity() async throws {
        let broker = try KafkaDevBroker()
        let maxInFlight = 32
        let service = try await ServiceProcess.start([
            "SESSIONRANK_KAFKA_BOOTSTRAP_SERVERS": broker.bootstrapServers,
            "SESSIONRANK_MODEL_BOOTSTRAP_DEMO_SESSIONS": "2000",
            "SESSIONRANK_HTTP_MAX_IN_FLIGHT_REQUESTS": "\(maxInFlight)",
        ], name: "overload")
        let run = TestServer.uniqueId("over")
        let clock = ContinuousClock()
        @Sendable func request(_ number: Int) -> ProbeRequest {
            // A product page view, as the storefront sends it: the call also records the view.
            ProbeRequest(path: "/v1/recommend?sessionId=\(run)-s\(number % 500)&itemId=p-\(String(format: "%05d", 1 + number % 2_000))&placement=product&limit=10")
        }
        let memory = Shared<[Int]>([])
        let sampling = Task {
            while !Task.isCancelled, let bytes = service.process.residentMemoryBytes() {
                memory.update { $0.append(bytes) }
                try? await Task.sleep(for: .milliseconds(250))
            }
        }
        defer { sampling.cancel() }

        // Capacity: 16 closed-loop clients (half the in-flight limit, so nothing is shed) for 3 s,
        // measured before the overload (after 1 s of warm-up) and again after it; the machine's
        // other load changes within seconds, so the reference is the mean of the two.
        let counter = SharedCounter()
        @Sendable func closedLoop(warmUp: Duration, measure: Duration) async -> Double {
            let warmEnd = clock.now + warmUp
            let measureEnd = warmEnd + measure
            let answered = await withTaskGroup(of: Int.self) { group in
                for _ in 0..<16 {
                    group.addTask {
                        guard let connection = await ProbeConnection.connect(port: service.port) else { return 0 }
                        var served = 0
                        while clock.now < measureEnd {
                            let outcome = await connection.send(request(counter.next()))
                            if clock.now > warmEnd, outcome.response?.status == 200 { served += 1 }
                        }
                        await connection.close()
                        return served
                    }
                }
                return await group.reduce(0, +)
            }
            return Double(answered) / (Double(measure.components.seconds) + Double(measure.components.attoseconds) / 1e18)
        }
        let capacityBefore = await closedLoop(warmUp: .seconds(1), measure: .seconds(3))
        let baselineMemory = service.process.residentMemoryBytes() ?? 0
        try #require(capacityBefore > 0, "nothing answered 200 in the closed loop:\n\(service.process.logTail())")

        // Overload: open-loop arrivals at twice that rate for 10 s, each sent at its time on an
        // idle keep-alive connection or a new one, never waiting for an earlier answer.
        let rate = 2 * capacityBefore
        let seconds = 10.0
        let total = Int(rate * seconds)
        let pool = ProbeConnectionPool(port: service.port, maxConnections: 2_048)
        let start = clock.now + .milliseconds(100)
        let results = await withTaskGroup(of: Result.self) { group in
            var next = 0
            while next < total {
                let now = clock.now
                while next < total {
                    let intended = start + .seconds(Double(next) / rate)
                    if intended > now { break }
                    let number = counter.next()
                    group.addTask { Result(intendedAt: intended, outcome: await pool.send(request(number), timeout: .seconds(10))) }
                    next += 1
                }
                try? await Task.sleep(for: .milliseconds(1))
            }
            var all: [Result] = []
            for await result in group { all.append(result) }
            return all
        }
        let window = clock.now - start
        await pool.closeAll()
        // Measured again afterwards, which also shows the service serving normally once the flood is over.
        let capacityAfter = await closedLoop(warmUp: .zero, measure: .seconds(3))
        let capacity = (capacityBefore + capacityAfter) / 2
        sampling.cancel()
        let alive = service.process.isRunning
        let health = await service.request(ProbeRequest(path: "/health/live"))
        let peakMemory = memory.value.max() ?? 0

        let served = results.filter { $0.outcome.response?.status == 200 }
        let shed = results.filter { $0.outcome.response?.status == 503 }
        let servedLatency = served.compactMap(\.outcome.latency)
        let shedLatency = shed.compactMap(\.outcome.latency)
        // The client could not send these: every one of its connections was busy (a stall).
        let unsent = results.filter { if case .clientSaturated = $0.outcome { true } else { false } }.count
        let other = tally(results.filter {
            if case .clientSaturated = $0.outcome { return false }
            return ![200, 503].contains($0.outcome.response?.status ?? 0)
        }.map { "\($0.outcome)".prefix(40).description })
        let servedRate = Double(served.count) / seconds
        let megabytes = { (bytes: Int) in bytes / 1_048_576 }
        print("""
            [reliability] overload-2x: expected excess shed fast (503 + Retry-After), served ≥ 60 % of capacity, memory bounded, \
            no crash; observed capacity \(String(format: "%.0f", capacityBefore))/s before and \(String(format: "%.0f", capacityAfter))/s \
            after (16 closed-loop clients); offered \(total) at \(String(format: "%.0f", rate))/s over \(window) (\(unsent) unsent: \
            client connections all busy): served \(served.count) (\(String(format: "%.0f", servedRate))/s, \
            \(String(format: "%.0f", 100 * servedRate / capacity)) % of the mean capacity, p50 \(formatMilliseconds(percentile(servedLatency, 0.5))) \
            p99 \(formatMilliseconds(percentile(servedLatency, 0.99)))), shed \(shed.count) (p50 \(formatMilliseconds(percentile(shedLatency, 0.5))) \
            p90 \(formatMilliseconds(percentile(shedLatency, 0.9))) \
            p99 \(formatMilliseconds(percentile(shedLatency, 0.99)))), other \(other); resident memory \(megabytes(baselineMemory)) MB \
            after warm-up, peak \(megabytes(peakMemory)) MB; alive \(alive), /health/live \(health.response?.status ?? 0); \
            in-flight limit \(maxInFlight) per endpoint (debug build, client and service on the same 2 cores)
            """)

        #expect(alive, "\(service.process.logTail())")
        #expect(health.response?.status == 200)
        #expect(!shed.isEmpty, "offered twice capacity, some requests must be shed")
        #expect(capacityAfter > 0, "serves again after the overload")
        #expect(other.isEmpty, "only 200 and 503 expected: \(other)")
        #expect(unsent * 20 < total, "\(unsent) of \(total) could not be sent")
        for result in shed.prefix(50) {
            #expect(result.outcome.response?.headers.first(name: "Retry-After") != nil)
            #expect(result.outcome.response?.body.contains(#""code":"overloaded""#) == true)
        }
        // Shedding skips the queue: the typical refusal comes back well before the typical answer.
        // (Only medians are compared: the tails measure how long the busy machine stalled both
        // processes, and are reported above.)
        if let shedP50 = percentile(shedLatency, 0.5), let servedP50 = percentile(servedLatency, 0.5) {
            #expect(shedP50 * 2 < servedP50, "503 p50 \(shedP50) vs 200 p50 \(servedP50)")
        }
        // Near capacity, with room for the client and the refusals, which take CPU from the same two cores.
        #expect(servedRate >= 0.6 * capacity, "served \(servedRate)/s of a capacity of \(capacity)/s (mean of before and after)")
        #expect(peakMemory <= baselineMemory + 256 * 1_048_576, "resident memory grew from \(baselineMemory) to \(peakMemory) bytes")

        service.process.send(signal: SIGTERM)
        #expect(try await service.process.waitForExit(within: .seconds(40)) == .exited(0), "\(service.process.logTail())")
    }
}

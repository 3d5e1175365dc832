import LoadCore
import NIOCore

/// One client thread: walks its precomputed timeline on its event loop, sends each
/// request at (or as soon as possible after) its intended time, and records latency from
/// the intended time. All state is confined to the event loop, so nothing here locks.
final class Worker {
    let eventLoop: any EventLoop
    let input: WorkerInput
    let pool: ConnectionPool
    var recorder: RunRecorder
    var tally = CorrectnessTally()
    var generator: SeededGenerator
    let zipf: ZipfSampler
    var sessions: [SessionRuntime]
    var eventCounter = 0

    private var nextEntry = 0
    private var outstanding = 0
    private var finished = false
    private let timeoutNanos: UInt64
    /// End of the timeline (warm-up + measured window), nanoseconds since start.
    let endNanos: UInt64
    private let done: EventLoopPromise<WorkerResult>
    private var sweep: Scheduled<Void>?

    init(eventLoop: any EventLoop, input: WorkerInput, done: EventLoopPromise<WorkerResult>) {
        self.eventLoop = eventLoop
        self.input = input
        self.done = done
        let scenario = input.scenario
        pool = ConnectionPool(eventLoop: eventLoop, target: input.target, maxConnections: scenario.maxConnections)
        recorder = RunRecorder(
            warmupNanos: UInt64(scenario.warmupSeconds * 1e9), lateThresholdNanos: UInt64(scenario.lateThresholdMs * 1e6)
        )
        generator = SeededGenerator(seed: input.seed)
        zipf = ZipfSampler(count: scenario.items.itemCount, exponent: scenario.items.zipfExponent)
        sessions = input.plan.sessions.map { SessionRuntime(plan: $0) }
        timeoutNanos = UInt64(scenario.requestTimeoutMs * 1e6)
        endNanos = UInt64((scenario.warmupSeconds + scenario.durationSeconds) * 1e9)
    }

    /// Nanoseconds since the common start.
    func elapsed() -> UInt64 {
        let now = NIODeadline.now().uptimeNanoseconds
        return now > input.startUptime ? now - input.startUptime : 0
    }

    func start() {
        let loop = eventLoop.assumeIsolated()
        scheduleSweep()
        let hardStop = input.startUptime + endNanos + UInt64(input.scenario.drainSeconds * 1e9)
        loop.scheduleTask(deadline: .uptimeNanoseconds(hardStop)) { self.stop() }
        scheduleNextTick()
    }

    private func scheduleNextTick() {
        guard nextEntry < input.plan.entries.count else {
            checkFinished()
            return
        }
        let due = input.startUptime + input.plan.entries[nextEntry].nanos
        eventLoop.assumeIsolated().scheduleTask(deadline: .uptimeNanoseconds(due)) { self.tick() }
    }

    /// Fires every entry that is due. Entries that are overdue because the loop was busy
    /// still carry their intended time, so the delay shows up in their latency.
    private func tick() {
        let entries = input.plan.entries
        let now = elapsed()
        while nextEntry < entries.count, entries[nextEntry].nanos <= now, !finished {
            let entry = entries[nextEntry]
            nextEntry += 1
            switch entry.action {
            case .request(let workload): fireRequest(workload: workload, intended: entry.nanos)
            case .pageView(let session, let page): startPageView(session: session, page: page, intended: entry.nanos)
            }
        }
        scheduleNextTick()
    }

    /// Sends one request, recording it under its endpoint; `completion` sees the outcome and the response.
    func send(_ request: OutgoingRequest, intended: UInt64, completion: @escaping (Outcome, IncomingResponse?) -> Void) {
        var request = request
        // Planned users name userId, which the service takes only with the storefront key.
        if request.bearerToken == nil, request.uri.hasPrefix("/v1/") { request.bearerToken = input.storefrontKey }
        outstanding += 1
        let endpoint = request.endpoint
        recorder.recordIntended(endpoint: endpoint, intendedNanos: intended)
        let start = input.startUptime
        let waiter = ConnectionPool.Waiter(
            request: request,
            deadline: start + intended + timeoutNanos,
            onSend: { [self] sentUptime in
                recorder.recordSent(endpoint: endpoint, intendedNanos: intended, sentNanos: sentUptime > start ? sentUptime - start : 0)
            },
            completion: { [self] result in
                let outcome: Outcome
                var response: IncomingResponse?
                switch result {
                case .success(let r):
                    response = r
                    outcome = Self.classify(r, endpoint: endpoint, eventCount: request.eventCount)
                case .failure(let failure):
                    outcome = failure.outcome
                }
                recorder.recordCompletion(
                    endpoint: endpoint, intendedNanos: intended, completedNanos: elapsed(), outcome: outcome,
                    events: outcome.isSuccess ? request.eventCount : 0)
                outstanding -= 1
                completion(outcome, response)
                checkFinished()
            }
        )
        pool.execute(waiter)
    }

    /// 2xx is success, except an events answer that does not accept exactly the events sent
    /// (see `EventsAnswer.outcome`): that would mean the harness and the service disagree on
    /// the contract, or the service dropped work.
    static func classify(_ response: IncomingResponse, endpoint: String, eventCount: Int) -> Outcome {
        guard (200..<300).contains(response.status) else { return .failure("http_\(response.status)") }
        if endpoint == Endpoint.events, eventCount > 0 {
            return EventsAnswer.outcome(body: response.body.readableBytesView, sent: eventCount)
        }
        return .success
    }

    /// Every few milliseconds: fail requests past their timeout, and notice the end.
    private func scheduleSweep() {
        sweep = eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(5)) {
            self.pool.expire(now: NIODeadline.now().uptimeNanoseconds)
            self.checkFinished()
            if !self.finished { self.scheduleSweep() }
        }
    }

    private func checkFinished() {
        guard !finished, nextEntry >= input.plan.entries.count, outstanding == 0, !sessions.contains(where: \.isBusy) else { return }
        finish()
    }

    /// The drain time is over: whatever is still pending is counted as unfinished.
    private func stop() {
        guard !finished else { return }
        nextEntry = input.plan.entries.count
        pool.shutdown(failing: .drainCutoff)
        finish()
    }

    private func finish() {
        guard !finished else { return }
        finished = true
        sweep?.cancel()
        pool.shutdown(failing: .drainCutoff)
        done.succeed(WorkerResult(recorder: recorder, tally: tally, connectionsOpened: pool.opened, connectFailures: pool.connectFailures))
    }

    var isPastEnd: Bool { elapsed() >= endNanos || finished }
}

/// Names under which endpoints are reported.
enum Endpoint {
    static let events = "events"
    static let recommend = "recommend"
    static let feedback = "feedback"
    static let admin = "admin"
    static let health = "health"
}

extension ByteBufferView {
    /// A plain search; answers are a few hundred bytes.
    func containsSubsequence(_ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, count >= needle.count else { return false }
        var i = startIndex
        let last = index(endIndex, offsetBy: -needle.count)
        while i <= last {
            if self[i] == needle[0] {
                var j = 1
                while j < needle.count && self[index(i, offsetBy: j)] == needle[j] { j += 1 }
                if j == needle.count { return true }
            }
            i = index(after: i)
        }
        return false
    }
}

import NIOCore
import NIOPosix

/// The pause between two polls of librdkafka, scheduled on an event loop. `Task.sleep` costs a
/// Dispatch timer and a thread hop per wake-up; at hundreds of wake-ups a second that was most
/// of an idle service's CPU. Cancellation is noticed when the pause ends (pauses are milliseconds).
enum PollPause {
    static func sleep(for duration: Duration) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let loop = MultiThreadedEventLoopGroup.currentEventLoop ?? MultiThreadedEventLoopGroup.singleton.any()
            loop.scheduleTask(in: TimeAmount(duration)) { continuation.resume() }
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// Scheduling for threads whose work can wait for requests: learning from the log and writing
/// snapshots. On Linux they run under `SCHED_IDLE`: they take a core only when nothing else
/// wants it, and a waking event loop preempts them at once instead of waiting out their slice.
/// At nice 5 a batch being applied held an event loop's core for up to its slice, which showed
/// in recommend's p99 at 1,000/s. Under sustained full load learning falls behind (the lag
/// gauges show it) and catches up from the log once load eases; nothing is lost.
enum BackgroundScheduling {
    /// Linux's `SCHED_IDLE`; glibc declares it only for `_GNU_SOURCE`.
    static let idlePolicy: Int32 = 5

    /// Names the calling thread (shown by `top -H` and in /proc; at most 15 bytes) and moves it
    /// to `SCHED_IDLE`. Returns whether the kernel accepted the policy; elsewhere, or if it
    /// refuses, the thread keeps its scheduling and the work still runs.
    @discardableResult
    static func enter(threadName: String) -> Bool {
        #if canImport(Glibc)
        // glibc declares pthread_setname_np only for _GNU_SOURCE; the kernel takes the name here too.
        let file = open("/proc/thread-self/comm", O_WRONLY)
        if file >= 0 {
            let name = Array(threadName.utf8.prefix(15))
            _ = name.withUnsafeBytes { write(file, $0.baseAddress, $0.count) }
            close(file)
        }
        var parameters = sched_param(sched_priority: 0)
        return sched_setscheduler(0, idlePolicy, &parameters) == 0
        #else
        return false
        #endif
    }
}

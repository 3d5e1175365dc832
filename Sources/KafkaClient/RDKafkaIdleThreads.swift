import CRdKafka

#if canImport(Glibc)
import Glibc
#endif

/// Runs every thread librdkafka starts for one client under Linux's `SCHED_IDLE`, through an
/// `on_thread_start` interceptor added when the client is created. For clients whose work can
/// wait (a consumer that feeds learning): their fetch threads parse whole fetches in bursts of
/// a few hundred microseconds, and under `SCHED_IDLE` any other waking thread preempts them.
enum RDKafkaIdleThreads {
    /// librdkafka logs interceptors by name; a literal lives as long as the process.
    private static let interceptorName: StaticString = "sessionrank-idle-threads"
    /// Linux's `SCHED_IDLE`; glibc declares it only for `_GNU_SOURCE`.
    static let idlePolicy: Int32 = 5

    private static var namePointer: UnsafePointer<CChar> {
        UnsafeRawPointer(interceptorName.utf8Start).assumingMemoryBound(to: CChar.self)
    }

    /// Adds the interceptor to `conf` before `rd_kafka_new` takes it.
    static func install(on conf: OpaquePointer) throws(KafkaError) {
        let result = rd_kafka_conf_interceptor_add_on_new(conf, namePointer, { client, _, _, _, _ in
            rd_kafka_interceptor_add_on_thread_start(client, RDKafkaIdleThreads.namePointer, { _, _, _, _ in
                #if canImport(Glibc)
                var parameters = sched_param(sched_priority: 0)
                // A refusal leaves the thread as it was; librdkafka logs a returned error, so none is.
                _ = sched_setscheduler(0, RDKafkaIdleThreads.idlePolicy, &parameters)
                #endif
                return RD_KAFKA_RESP_ERR_NO_ERROR
            }, nil)
        }, nil)
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(rdKafka: result, context: "adding the idle-thread interceptor")
        }
    }
}

import CRdKafka
import Logging

/// Owns one `rd_kafka_t` and the queue its events arrive on; destroys both in `deinit`.
///
/// librdkafka handles are thread-safe and the pointers never change after creation,
/// hence `@unchecked Sendable`.
package final class RDKafkaHandle: @unchecked Sendable {
    package enum Kind { case producer, consumer }

    let pointer: OpaquePointer
    /// Producer: the main queue (delivery reports, errors, logs).
    /// Consumer: a private queue for logs only; messages and errors come from `rd_kafka_consumer_poll`.
    let eventQueue: OpaquePointer
    let kind: Kind

    private init(pointer: OpaquePointer, eventQueue: OpaquePointer, kind: Kind) {
        self.pointer = pointer
        self.eventQueue = eventQueue
        self.kind = kind
    }

    deinit {
        rd_kafka_queue_destroy(eventQueue)
        rd_kafka_destroy(pointer)
    }

    /// Creates a bare `rd_kafka_t` the caller must `rd_kafka_destroy` (the dev broker's host handle).
    package static func makeRaw(kind: Kind, properties: [String: String], events: Int32 = 0) throws(KafkaError) -> OpaquePointer {
        let conf = try RDKafkaConfiguration.make(properties: properties)
        if events != 0 { rd_kafka_conf_set_events(conf, events) }
        var errorChars = [CChar](repeating: 0, count: RDKafkaConfiguration.errorStringSize)
        guard let handle = rd_kafka_new(kind == .producer ? RD_KAFKA_PRODUCER : RD_KAFKA_CONSUMER, conf, &errorChars, errorChars.count) else {
            // rd_kafka_new takes ownership of conf only when it succeeds.
            rd_kafka_conf_destroy(conf)
            throw .configuration("could not create a Kafka \(kind) client: \(String(cStringBuffer: errorChars))")
        }
        return handle
    }

    /// Creates a handle. `events` is a mask of `RD_KAFKA_EVENT_*` to receive on `eventQueue` (producer only).
    static func make(kind: Kind, properties: [String: String], events: Int32 = 0) throws(KafkaError) -> RDKafkaHandle {
        var properties = properties
        // Logs become events we forward to swift-log instead of librdkafka printing to stderr.
        properties["log.queue"] = "true"
        let handle = try makeRaw(kind: kind, properties: properties, events: events)

        let queue: OpaquePointer?
        switch kind {
        case .producer:
            queue = rd_kafka_queue_get_main(handle)
        case .consumer:
            // Route everything except logs to the consumer queue so rd_kafka_consumer_poll serves it.
            rd_kafka_poll_set_consumer(handle)
            queue = rd_kafka_queue_new(handle)
        }
        guard let queue else {
            rd_kafka_destroy(handle)
            throw KafkaError(code: .kafka, message: "librdkafka returned no event queue; this is a bug, please report it")
        }
        let logError = rd_kafka_set_log_queue(handle, queue)
        if logError != RD_KAFKA_RESP_ERR_NO_ERROR {
            rd_kafka_queue_destroy(queue)
            rd_kafka_destroy(handle)
            throw KafkaError(rdKafka: logError, context: "routing librdkafka logs")
        }
        return RDKafkaHandle(pointer: handle, eventQueue: queue, kind: kind)
    }

    /// The reason for the handle's fatal error, or nil if it has none.
    var fatalError: KafkaError? {
        var chars = [CChar](repeating: 0, count: RDKafkaConfiguration.errorStringSize)
        let code = rd_kafka_fatal_error(pointer, &chars, chars.count)
        guard code != RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        // The underlying code (e.g. OUT_OF_ORDER_SEQUENCE_NUMBER) is kept; the kind is always fatal.
        return KafkaError(
            code: .fatal,
            message: "fatal client error: \(String(cStringBuffer: chars)) — the client handle is unusable and must be recreated; undelivered messages must be resent.",
            rdKafkaCode: code.rawValue
        )
    }
}

extension String {
    /// Decodes a NUL-terminated C string held in a fixed-size buffer.
    init(cStringBuffer chars: [CChar]) {
        self.init(decoding: chars.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension Logger {
    /// Forwards one librdkafka log line at the syslog level librdkafka gave it.
    func logRdKafka(level: Int32, facility: String, message: String) {
        let swiftLevel: Logger.Level =
            switch level {
            case ...2: .critical
            case 3: .error
            case 4: .warning
            case 5: .notice
            case 6: .info
            default: .debug
            }
        log(level: swiftLevel, "\(message)", metadata: ["rdkafka.facility": "\(facility)"])
    }
}

extension RDKafkaHandle {
    /// Serves pending log events without waiting; returns how many were served.
    @discardableResult
    func forwardLogs(to logger: Logger, max: Int = 100) -> Int {
        var served = 0
        while served < max, let event = rd_kafka_queue_poll(eventQueue, 0) {
            defer { rd_kafka_event_destroy(event) }
            served += 1
            if rd_kafka_event_type(event) == RD_KAFKA_EVENT_LOG {
                logLine(event, to: logger)
            }
        }
        return served
    }

    func logLine(_ event: OpaquePointer, to logger: Logger) {
        var facility: UnsafePointer<CChar>?
        var message: UnsafePointer<CChar>?
        var level: Int32 = 0
        guard rd_kafka_event_log(event, &facility, &message, &level) == 0 else { return }
        logger.logRdKafka(
            level: level,
            facility: facility.map { String(cString: $0) } ?? "",
            message: message.map { String(cString: $0) } ?? ""
        )
    }
}

import CRdKafka
import Logging

/// What the producer's event queue delivered in one poll.
enum ProducerEvent {
    /// Delivery outcome of one message; `error` is nil on success.
    case delivery(id: UInt64, topic: String, partition: Int32, offset: Int64, error: rd_kafka_resp_err_t?)
    case error(KafkaError, isFatal: Bool)
}

extension RDKafkaHandle {
    /// Hands one message to librdkafka (copying key, value and headers). Never blocks:
    /// without `RD_KAFKA_MSG_F_BLOCK` a full queue is reported as `RD_KAFKA_RESP_ERR__QUEUE_FULL`.
    /// `opaqueID` comes back in the message's delivery report.
    func produce(
        topic: String,
        key: String?,
        value: some KafkaBytes,
        headers: [KafkaHeader],
        opaqueID: UInt64
    ) -> rd_kafka_resp_err_t {
        // Headers are built as an rd_kafka_headers_t that librdkafka owns once produceva succeeds.
        let cHeaders: OpaquePointer? = headers.isEmpty ? nil : Self.makeHeaders(headers)
        let error: rd_kafka_resp_err_t = topic.withCString { topicChars in
            value.withUnsafeKafkaBytes { valueBytes in
                withOptionalCString(key) { keyChars, keyLength in
                    var fields = [rd_kafka_vu_t](repeating: rd_kafka_vu_t(), count: 6)
                    fields[0].vtype = RD_KAFKA_VTYPE_TOPIC
                    fields[0].u.cstr = topicChars
                    fields[1].vtype = RD_KAFKA_VTYPE_MSGFLAGS
                    fields[1].u.i = RD_KAFKA_MSG_F_COPY
                    fields[2].vtype = RD_KAFKA_VTYPE_VALUE
                    fields[2].u.mem.ptr = UnsafeMutableRawPointer(mutating: valueBytes.baseAddress)
                    fields[2].u.mem.size = valueBytes.count
                    fields[3].vtype = RD_KAFKA_VTYPE_OPAQUE
                    fields[3].u.ptr = UnsafeMutableRawPointer(bitPattern: UInt(opaqueID))
                    var count = 4
                    if let keyChars {
                        fields[count].vtype = RD_KAFKA_VTYPE_KEY
                        fields[count].u.mem.ptr = UnsafeMutableRawPointer(mutating: keyChars)
                        fields[count].u.mem.size = keyLength
                        count += 1
                    }
                    if let cHeaders {
                        fields[count].vtype = RD_KAFKA_VTYPE_HEADERS
                        fields[count].u.headers = cHeaders
                        count += 1
                    }
                    guard let failure = rd_kafka_produceva(pointer, fields, count) else {
                        return RD_KAFKA_RESP_ERR_NO_ERROR
                    }
                    defer { rd_kafka_error_destroy(failure) }
                    return rd_kafka_error_code(failure)
                }
            }
        }
        if error != RD_KAFKA_RESP_ERR_NO_ERROR, let cHeaders {
            rd_kafka_headers_destroy(cHeaders)
        }
        return error
    }

    private static func makeHeaders(_ headers: [KafkaHeader]) -> OpaquePointer? {
        let list = rd_kafka_headers_new(headers.count)
        for header in headers {
            if let value = header.value {
                value.withUnsafeBytes { bytes in
                    _ = rd_kafka_header_add(list, header.key, -1, bytes.baseAddress, bytes.count)
                }
            } else {
                _ = rd_kafka_header_add(list, header.key, -1, nil, 0)
            }
        }
        return list
    }

    /// Drains up to `maxEvents` events, waiting up to `waitMilliseconds` for the first (blocking
    /// the calling thread; 0 never waits). Logs are forwarded directly.
    /// Returns the events plus whether the queue may still hold more.
    func pollProducerEvents(maxEvents: Int, waitMilliseconds: Int32 = 0, logger: Logger) -> (events: [ProducerEvent], mayHaveMore: Bool) {
        var events: [ProducerEvent] = []
        var served = 0
        while served < maxEvents, let event = rd_kafka_queue_poll(eventQueue, served == 0 ? waitMilliseconds : 0) {
            defer { rd_kafka_event_destroy(event) }
            served += 1
            switch rd_kafka_event_type(event) {
            case RD_KAFKA_EVENT_DR:
                while let message = rd_kafka_event_message_next(event) {
                    events.append(Self.deliveryEvent(message.pointee))
                }
            case RD_KAFKA_EVENT_ERROR:
                let code = rd_kafka_event_error(event)
                let reason = rd_kafka_event_error_string(event).map { String(cString: $0) }
                let error = KafkaError(rdKafka: code, context: "producer client error", detail: reason)
                events.append(.error(error, isFatal: rd_kafka_event_error_is_fatal(event) != 0))
            case RD_KAFKA_EVENT_LOG:
                logLine(event, to: logger)
            default:
                break
            }
        }
        return (events, served == maxEvents)
    }

    private static func deliveryEvent(_ message: rd_kafka_message_t) -> ProducerEvent {
        let id = UInt64(UInt(bitPattern: message._private))
        let topic = message.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
        let error = message.err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : message.err
        return .delivery(id: id, topic: topic, partition: message.partition, offset: message.offset, error: error)
    }
}

/// Calls `body` with the string's UTF-8 bytes and their length, or with nil for a nil string.
private func withOptionalCString<Result>(
    _ string: String?,
    _ body: (UnsafePointer<CChar>?, Int) -> Result
) -> Result {
    guard let string else { return body(nil, 0) }
    return string.withCString { body($0, string.utf8.count) }
}

import CRdKafka

/// The result of one non-blocking consumer poll.
enum ConsumerPollResult {
    case message(KafkaConsumerMessage)
    case nothing
    /// An error librdkafka reported in place of a message; most are transient and retried by it.
    case error(KafkaError, isFatal: Bool)
}

extension RDKafkaHandle {
    /// Takes one message if one is ready, waiting up to `timeoutMilliseconds` for one (0: never
    /// waits; only a thread of the caller's own may wait).
    func pollConsumer(timeoutMilliseconds: Int32 = 0) -> ConsumerPollResult {
        guard let messagePointer = rd_kafka_consumer_poll(pointer, timeoutMilliseconds) else { return .nothing }
        defer { rd_kafka_message_destroy(messagePointer) }
        let message = messagePointer.pointee
        guard message.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            let detail = rd_kafka_message_errstr(messagePointer).map { String(cString: $0) }
            let error = KafkaError(rdKafka: message.err, context: "consuming", detail: detail)
            let isFatal = message.err == RD_KAFKA_RESP_ERR__FATAL || fatalError != nil
            return .error(fatalError ?? error, isFatal: isFatal)
        }
        return .message(Self.decode(messagePointer))
    }

    private static func decode(_ messagePointer: UnsafeMutablePointer<rd_kafka_message_t>) -> KafkaConsumerMessage {
        let message = messagePointer.pointee
        var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let timestamp = rd_kafka_message_timestamp(messagePointer, &timestampType)
        return KafkaConsumerMessage(
            topic: message.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? "",
            partition: message.partition,
            offset: message.offset,
            key: message.key.map { Array(UnsafeRawBufferPointer(start: $0, count: message.key_len)) },
            value: message.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: message.len)) } ?? [],
            headers: decodeHeaders(messagePointer),
            timestampMilliseconds: timestampType == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? nil : timestamp
        )
    }

    private static func decodeHeaders(_ messagePointer: UnsafeMutablePointer<rd_kafka_message_t>) -> [KafkaHeader] {
        // The headers stay owned by the message.
        var list: OpaquePointer?
        guard rd_kafka_message_headers(messagePointer, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list else { return [] }
        var headers: [KafkaHeader] = []
        var index = 0
        var name: UnsafePointer<CChar>?
        var value: UnsafeRawPointer?
        var size = 0
        while rd_kafka_header_get_all(list, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
            headers.append(
                KafkaHeader(
                    key: name.map { String(cString: $0) } ?? "",
                    value: value.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) }
                )
            )
            index += 1
        }
        return headers
    }

    /// Starts a subscription (group mode) or a fixed assignment.
    func startConsuming(_ mode: KafkaConsumerConfiguration.Mode) throws(KafkaError) {
        switch mode {
        case .group(_, let topics, _):
            let list = TopicPartitionList()
            for topic in topics { list.add(topic: topic, partition: RD_KAFKA_PARTITION_UA) }
            let error = rd_kafka_subscribe(pointer, list.pointer)
            guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaError(rdKafka: error, context: "subscribing to \(topics.joined(separator: ","))")
            }
        case .assignment(let assignments):
            let list = TopicPartitionList()
            for assignment in assignments {
                list.add(topic: assignment.topic, partition: assignment.partition, offset: assignment.startOffset.rdKafkaOffset)
            }
            let error = rd_kafka_assign(pointer, list.pointer)
            guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaError(rdKafka: error, context: "assigning partitions")
            }
        }
    }
}

extension KafkaConsumerConfiguration.StartOffset {
    var rdKafkaOffset: Int64 {
        switch self {
        case .beginning: Int64(RD_KAFKA_OFFSET_BEGINNING)
        case .end: Int64(RD_KAFKA_OFFSET_END)
        case .offset(let offset): offset
        }
    }
}

/// Owns an `rd_kafka_topic_partition_list_t`.
final class TopicPartitionList {
    let pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>

    init(capacity: Int = 1) {
        pointer = rd_kafka_topic_partition_list_new(Int32(capacity))
    }

    deinit {
        rd_kafka_topic_partition_list_destroy(pointer)
    }

    func add(topic: String, partition: Int32, offset: Int64? = nil) {
        let element = rd_kafka_topic_partition_list_add(pointer, topic, partition)
        if let offset { element?.pointee.offset = offset }
    }

    /// The entry for one partition, if present.
    func entry(topic: String, partition: Int32) -> rd_kafka_topic_partition_t? {
        rd_kafka_topic_partition_list_find(pointer, topic, partition)?.pointee
    }
}

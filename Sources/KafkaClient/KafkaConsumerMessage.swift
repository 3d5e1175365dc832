/// One record read from Kafka.
public struct KafkaConsumerMessage: Sendable {
    public let topic: String
    public let partition: Int32
    public let offset: Int64
    public let key: [UInt8]?
    public let value: [UInt8]
    public let headers: [KafkaHeader]
    /// Milliseconds since the Unix epoch (create or log-append time), if the record has one.
    public let timestampMilliseconds: Int64?

    /// The key decoded as UTF-8 (keys are session ids here).
    public var keyString: String? { key.map { String(decoding: $0, as: UTF8.self) } }
    public var valueString: String { String(decoding: value, as: UTF8.self) }

    public func header(_ key: String) -> KafkaHeader? {
        headers.first { $0.key == key }
    }
}

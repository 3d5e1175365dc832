/// Identifies one message handed to `KafkaProducer.send`; its delivery report carries the same id.
public struct KafkaMessageID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64
    init(rawValue: UInt64) { self.rawValue = rawValue }
    public var description: String { String(rawValue) }
}

/// The final outcome of one sent message.
public struct KafkaDeliveryReport: Sendable {
    public let messageID: KafkaMessageID
    public let topic: String
    /// The partition the message went to, or -1 if it never got one.
    public let partition: Int32
    /// The offset the broker stored it at, or nil if unknown (failed, or not reported).
    public let offset: Int64?
    /// Nil when the broker acknowledged the message; otherwise why it was not delivered.
    public let error: KafkaError?

    public var isDelivered: Bool { error == nil }
}

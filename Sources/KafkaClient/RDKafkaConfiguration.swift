import CRdKafka

/// Builds an `rd_kafka_conf_t` from string properties. Frees the conf on every failure path;
/// on success the caller owns it until `rd_kafka_new` takes it.
enum RDKafkaConfiguration {
    static let errorStringSize = 512

    static func make(properties: [String: String]) throws(KafkaError) -> OpaquePointer {
        guard let conf = rd_kafka_conf_new() else {
            throw KafkaError(code: .kafka, message: "rd_kafka_conf_new returned NULL (out of memory?)")
        }
        // Sorted so a failure always names the same property first.
        for (key, value) in properties.sorted(by: { $0.key < $1.key }) {
            var errorChars = [CChar](repeating: 0, count: errorStringSize)
            let result = rd_kafka_conf_set(conf, key, value, &errorChars, errorChars.count)
            if result != RD_KAFKA_CONF_OK {
                rd_kafka_conf_destroy(conf)
                let reason = String(cStringBuffer: errorChars)
                throw .configuration("librdkafka rejected property \(key)=\(value): \(reason)")
            }
        }
        return conf
    }
}

/// Random (version 4) UUIDs as lowercase text, drawn from the system generator.
///
/// Foundation's `UUID()` opens, reads and closes /dev/urandom on every call on Linux; two of
/// those per recommend call were a visible share of its CPU. `getrandom` is one system call.
enum RandomIdentifier {
    private static let digits = Array("0123456789abcdef".utf8)

    static func uuidString() -> String {
        var generator = SystemRandomNumberGenerator()
        var high: UInt64 = generator.next()
        var low: UInt64 = generator.next()
        high = (high & ~0xF000) | 0x4000  // version 4
        low = (low & ~(0xC0 << 56)) | (0x80 << 56)  // RFC 4122 variant
        return String(unsafeUninitializedCapacity: 36) { text in
            var at = 0
            func put(_ value: UInt64, nibbles: Int) {
                for shift in stride(from: (nibbles - 1) * 4, through: 0, by: -4) {
                    text[at] = digits[Int((value >> UInt64(shift)) & 0xF)]
                    at += 1
                }
            }
            func dash() {
                text[at] = UInt8(ascii: "-")
                at += 1
            }
            put(high >> 32, nibbles: 8)
            dash()
            put(high >> 16, nibbles: 4)
            dash()
            put(high, nibbles: 4)
            dash()
            put(low >> 48, nibbles: 4)
            dash()
            put(low, nibbles: 12)
            return at
        }
    }
}

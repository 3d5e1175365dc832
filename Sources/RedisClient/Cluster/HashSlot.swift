/// Redis Cluster's key-to-slot mapping: CRC16 (XMODEM) of the key, or of its hash tag, modulo
/// 16384. A hash tag is the text between the first `{` and the next `}` when it is not empty, so
/// `session:{42}:meta` and `session:{42}:items` land in the same slot.
public enum HashSlot {
    public static let count = 16_384

    public static func of(_ key: some RedisArgument) -> Int {
        var bytes: [UInt8] = []
        key.appendRedisArgumentBytes(to: &bytes)
        return of(bytes: bytes[...])
    }

    static func of(bytes key: ArraySlice<UInt8>) -> Int {
        Int(crc16(hashedPart(of: key)) % UInt16(count))
    }

    static func hashedPart(of key: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        guard let open = key.firstIndex(of: UInt8(ascii: "{")) else { return key }
        let afterOpen = key.index(after: open)
        guard let close = key[afterOpen...].firstIndex(of: UInt8(ascii: "}")), close > afterOpen else { return key }
        return key[afterOpen..<close]
    }

    static func crc16(_ bytes: ArraySlice<UInt8>) -> UInt16 {
        var crc: UInt16 = 0
        for byte in bytes {
            crc = (crc << 8) ^ table[Int(UInt8(truncatingIfNeeded: crc >> 8) ^ byte)]
        }
        return crc
    }

    /// CRC16-CCITT (polynomial 0x1021, initial value 0), one entry per byte value.
    private static let table: [UInt16] = (0..<256).map { value in
        var crc = UInt16(value) << 8
        for _ in 0..<8 { crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1 }
        return crc
    }
}
